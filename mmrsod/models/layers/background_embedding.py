# Copyright (c) mmrsod contributors. All rights reserved.
"""Learnable background embedding ``B_ij = Concat(R_i, C_j)`` of SDCoNet,
added to the encoder tokens that the level filtering left out."""
from typing import Optional, Sequence, Union

import torch
from mmdet.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmrsod.utils.errors import ConfigError

__all__ = ['BackgroundEmbedding']


@MODELS.register_module()
class BackgroundEmbedding(BaseModule):
    """Row/column embedding tables giving one vector per token position.

    Token (i, j) of a level grid gets ``Concat(R_i, C_j)``: a row vector
    and a column vector of ``embed_dims // 2`` channels each, from tables
    of ``max_size`` entries shared by all levels. Both tables are
    initialised uniformly in [0, 1) (as DETR's and Salience-DETR's learned
    position embeddings).

    Args:
        embed_dims (int): Channels C of the tokens (even). Defaults to 256.
        max_size (int): Largest level height/width supported. Defaults to
            200 (a stride-8 level of a 1600 px input).
        init_cfg (dict, optional): mmengine init config. Defaults to None.
    """

    def __init__(self,
                 embed_dims: int = 256,
                 max_size: int = 200,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if embed_dims <= 0 or embed_dims % 2:
            raise ConfigError('model.background_embedding.embed_dims must '
                              f'be a positive even number, got {embed_dims}')
        if max_size <= 0:
            raise ConfigError('model.background_embedding.max_size must be '
                              f'positive, got {max_size}')
        self.embed_dims = embed_dims
        self.max_size = max_size
        self.row_embed = nn.Embedding(max_size, embed_dims // 2)
        self.col_embed = nn.Embedding(max_size, embed_dims // 2)
        self._reset_tables()

    def _reset_tables(self) -> None:
        """Uniform [0, 1) init of both tables."""
        nn.init.uniform_(self.row_embed.weight)
        nn.init.uniform_(self.col_embed.weight)

    def init_weights(self) -> None:
        """Re-apply the uniform init (also after a parent's init)."""
        super().init_weights()
        if self.init_cfg is None:
            self._reset_tables()

    def forward(
            self, spatial_shapes: Union[Tensor,
                                        Sequence[Sequence[int]]]) -> Tensor:
        """Embedding of every token of every level.

        Args:
            spatial_shapes (Tensor | Sequence): (L, 2) ``[h, w]`` per level,
                in DINO's level order (fine to coarse).

        Returns:
            Tensor: Shape (N, C), N = sum of h * w; each level's grid
            flattened row-major (token ``i * w + j`` of a level is
            ``Concat(R_i, C_j)``), levels concatenated in order.

        Raises:
            ConfigError: A level is taller or wider than ``max_size``.
        """
        if isinstance(spatial_shapes, Tensor):
            shapes = spatial_shapes.tolist()
        else:
            shapes = [list(s) for s in spatial_shapes]
        largest = max((max(int(h), int(w)) for h, w in shapes), default=0)
        if largest > self.max_size:
            raise ConfigError(
                f'model.background_embedding.max_size={self.max_size} is '
                f'smaller than a feature level ({largest} rows/cols in '
                f'{[tuple(s) for s in shapes]}): raise it')
        half = self.embed_dims // 2
        levels = []
        for h, w in shapes:
            h, w = int(h), int(w)
            rows = self.row_embed.weight[:h, None].expand(h, w, half)
            cols = self.col_embed.weight[None, :w].expand(h, w, half)
            levels.append(torch.cat([rows, cols], -1).reshape(h * w, -1))
        if not levels:
            return self.row_embed.weight.new_zeros(0, self.embed_dims)
        return torch.cat(levels, 0)

    def add_to_background(self, memory: Tensor, spatial_shapes: Tensor,
                          level_selected: Tensor,
                          padding_mask: Optional[Tensor]) -> Tensor:
        """Add the embedding to the valid tokens outside the level-filtered
        set (once, after the encoder).

        Args:
            memory (Tensor): Encoder output, (B, N, C).
            spatial_shapes (Tensor): (L, 2) level grids.
            level_selected (Tensor): BoolTensor (B, N), True for the tokens
                the level filtering kept (``TokenSelection.level_selected``).
            padding_mask (Tensor, optional): BoolTensor (B, N), True at
                padded tokens (they get nothing); None when unpadded.

        Returns:
            Tensor: ``memory`` + embedding at the background tokens,
            (B, N, C).
        """
        background = ~level_selected
        if padding_mask is not None:
            background = background & ~padding_mask
        embedding = self(spatial_shapes).to(memory.dtype)
        return memory + background[..., None].to(memory.dtype) * embedding

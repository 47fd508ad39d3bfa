# Copyright (c) mmrsod contributors. All rights reserved.
"""Deformable-DETR encoder that updates only the saliency-selected tokens
(SDCoNet's hierarchical query filtering, eq. 8).

Each layer gathers its selected queries (with their positional encodings
and reference points), runs deformable self-attention on them against the
FULL current memory as value, then the FFN, and scatters the results back;
the other tokens keep their features. The layer therefore really computes
only ``K_t`` queries (sampling offsets, attention weights, output
projection and FFN scale with the number of queries; the value projection
still runs over all N tokens).
"""
from typing import Optional

import torch
from mmdet.models.layers.transformer import deformable_detr_layers
from mmdet.models.layers.transformer.deformable_detr_layers import (
    DeformableDetrTransformerEncoder, DeformableDetrTransformerEncoderLayer)
from mmengine.model import ModuleList
from torch import Tensor

from mmrsod.models.utils.token_selection import TokenSelection
from mmrsod.utils.errors import ConfigError

__all__ = ['SelectiveDeformableEncoderLayer', 'SaliencyFilteredEncoder']


class SelectiveDeformableEncoderLayer(DeformableDetrTransformerEncoderLayer):
    """Deformable encoder layer whose value may differ from its query.

    mmdet's layer hard-codes ``value=query``; here a (sub)set of queries
    can attend to a full memory. With ``value=None`` it is exactly the
    parent layer.
    """

    def forward(self,
                query: Tensor,
                query_pos: Tensor,
                key_padding_mask: Optional[Tensor],
                value: Optional[Tensor] = None,
                **kwargs) -> Tensor:
        """Self-attention (deformable) + FFN on ``query``.

        Args:
            query (Tensor): Queries, shape (B, K, C).
            query_pos (Tensor): Their positional encodings, (B, K, C).
            key_padding_mask (Tensor, optional): BoolTensor over the VALUE
                tokens, (B, N), True = padding (zeroed in the value).
            value (Tensor, optional): Memory attended to, (B, N, C), the
                tokens of all levels (``spatial_shapes`` must describe N).
                None: ``value = query`` (the parent's behaviour).
            **kwargs: ``reference_points`` (B, K, L, 2) of the queries,
                ``spatial_shapes``, ``level_start_index``, ... passed to
                :class:`mmcv.ops.MultiScaleDeformableAttention`.

        Returns:
            Tensor: Updated queries, shape (B, K, C).
        """
        if value is None:
            return super().forward(
                query=query,
                query_pos=query_pos,
                key_padding_mask=key_padding_mask,
                **kwargs)
        query = self.self_attn(
            query=query,
            value=value,
            query_pos=query_pos,
            key_padding_mask=key_padding_mask,
            **kwargs)
        query = self.norms[0](query)
        query = self.ffn(query)
        return self.norms[1](query)


class SaliencyFilteredEncoder(DeformableDetrTransformerEncoder):
    """Deformable-DETR encoder with per-layer token selection.

    Same constructor (and parameters, state-dict keys) as
    :class:`mmdet.models.layers.DeformableDetrTransformerEncoder`; its
    layers are :class:`SelectiveDeformableEncoderLayer`.
    """

    def _init_layers(self) -> None:
        """Build ``num_layers`` selective layers (with activation
        checkpointing of the first ``num_cp`` as in the parent)."""
        self.layers = ModuleList([
            SelectiveDeformableEncoderLayer(**self.layer_cfg)
            for _ in range(self.num_layers)
        ])
        if self.num_cp > 0:
            wrapper = deformable_detr_layers.checkpoint_wrapper
            if wrapper is None:
                raise NotImplementedError(
                    'num_cp > 0 (activation checkpointing) needs fairscale: '
                    'pip install fairscale')
            for i in range(self.num_cp):
                self.layers[i] = wrapper(self.layers[i])
        self.embed_dims = self.layers[0].embed_dims

    def forward(self,
                query: Tensor,
                query_pos: Tensor,
                key_padding_mask: Optional[Tensor],
                spatial_shapes: Tensor,
                level_start_index: Tensor,
                valid_ratios: Tensor,
                selection: Optional[TokenSelection] = None,
                **kwargs) -> Tensor:
        """Encode, updating in layer t only the tokens of ``selection``.

        Args:
            query (Tensor): Flattened multi-level features, (B, N, C).
            query_pos (Tensor): Positional + level embeddings, (B, N, C).
            key_padding_mask (Tensor, optional): BoolTensor (B, N), True at
                padded tokens; None for an unpadded batch.
            spatial_shapes (Tensor): LongTensor (L, 2), ``[h, w]`` per level.
            level_start_index (Tensor): LongTensor (L,).
            valid_ratios (Tensor): (B, L, 2) valid width/height ratios.
            selection (TokenSelection, optional): Tokens per layer from
                :func:`~mmrsod.models.utils.hierarchical_token_selection`
                (one entry per layer). None: every token in every layer,
                exactly the parent's computation.
            **kwargs: Passed to every layer.

        Returns:
            Tensor: Memory, shape (B, N, C). Tokens a layer did not select
            (and invalid slots) keep their features through that layer.
        """
        if selection is None:
            return super().forward(
                query=query,
                query_pos=query_pos,
                key_padding_mask=key_padding_mask,
                spatial_shapes=spatial_shapes,
                level_start_index=level_start_index,
                valid_ratios=valid_ratios,
                **kwargs)
        if selection.num_layers != len(self.layers):
            raise ConfigError(
                f'model.layer_filter_ratio gives {selection.num_layers} '
                f'ratios but the encoder has {len(self.layers)} layers')
        reference_points = self.get_encoder_reference_points(
            spatial_shapes, valid_ratios, device=query.device)
        channels = query.size(-1)
        num_levels, num_coords = reference_points.shape[-2:]
        for layer, indices, valid in zip(self.layers, selection.layer_indices,
                                         selection.layer_valid):
            if indices.size(1) == 0:
                continue
            feat_index = indices[..., None].expand(-1, -1, channels)
            ref_index = indices[..., None,
                                None].expand(-1, -1, num_levels, num_coords)
            selected = query.gather(1, feat_index)
            updated = layer(
                query=selected,
                query_pos=query_pos.gather(1, feat_index),
                key_padding_mask=key_padding_mask,
                value=query,
                spatial_shapes=spatial_shapes,
                level_start_index=level_start_index,
                valid_ratios=valid_ratios,
                reference_points=reference_points.gather(1, ref_index),
                **kwargs)
            updated = torch.where(valid[..., None], updated.to(selected.dtype),
                                  selected)
            query = query.scatter(1, feat_index, updated)
        return query

# Copyright (c) mmrsod contributors. All rights reserved.
"""Multi-scale saliency score prediction of SDCoNet (paper eqs. 5-7)."""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmdet.registry import MODELS
from mmdet.structures import SampleList
from mmdet.structures.bbox import get_box_tensor
from mmdet.utils import reduce_mean
from mmengine.model import BaseModule, bias_init_with_prob, trunc_normal_init
from torch import Tensor

from mmrsod.utils.errors import ConfigError
from ..utils.saliency_targets import (DEFAULT_SALIENCY_SIGMA,
                                      gaussian_saliency_targets)

__all__ = ['SaliencyScoreHead']


@MODELS.register_module()
class SaliencyScoreHead(BaseModule):
    """Per-token saliency logits of a DETR feature pyramid with top-down
    score fusion, and their soft-target focal loss (SDCoNet Sec. III-D).

    Eq. 5, one predictor shared by all levels (after the neck every level
    has ``embed_dims`` channels)::

        x = MLP1(F_l) = GELU(Linear(LayerNorm(F_l)))          # (B, n_l, C)
        x_loc, x_glb = x[..., :C // 2], x[..., C // 2:]
        g = mean of x_glb over the level's valid tokens          # (B, C')
        s_l = MLP2(cat(x_loc, broadcast(g)))                     # (B, n_l)

    with ``MLP2 = Linear(C, C // 2) -> GELU -> Linear(C // 2, 1)``. Padded
    tokens do not enter the mean.

    Eq. 6 fuses the scores top-down, coarse to fine: ``S_L = s_L`` for the
    coarsest level and ``S_{l-1} = alpha * UP(S_l) + s_{l-1}``, ``UP`` being
    bilinear interpolation (``align_corners=False``) to the finer grid. In
    a padded batch ``UP`` maps each image's valid region of the coarse grid
    onto its valid region of the fine grid, so an image's fused scores do
    not depend on the padding of the batch it is in. ``alpha`` is one
    scalar: learnable (``learnable_alpha=True``, initialised to ``alpha``)
    or a constant (Table VII: ``alpha=0.5`` "fixed", ``alpha=1.0``
    "removed").

    Args:
        embed_dims (int): Channels C of every level. Defaults to 256.
        num_levels (int): Pyramid levels L. Defaults to 4.
        alpha (float): Top-down modulation coefficient, or its initial
            value when learnable. Defaults to 0.5.
        learnable_alpha (bool): Make ``alpha`` an ``nn.Parameter``.
            Defaults to True.
        strides (Sequence[int]): Stride of each level in input pixels, for
            the targets. Defaults to DINO-4scale's ``(8, 16, 32, 64)``.
        sigma (float): Gaussian sigma of the targets in units of the box
            half extents. Defaults to ``1 / sqrt(2 ln 2)`` (0.5 at edge
            midpoints).
        loss (dict): Config of the loss on the fused logits, built in
            mmdet's registry. Defaults to sigmoid ``FocalLoss`` (alpha
            0.25, gamma 2) with ``loss_weight=2.0``.
        init_cfg (dict or list[dict], optional): Initialization config.
            When None, :meth:`init_weights` applies this module's own
            initialisation (see there).
    """

    def __init__(self,
                 embed_dims: int = 256,
                 num_levels: int = 4,
                 alpha: float = 0.5,
                 learnable_alpha: bool = True,
                 strides: Sequence[int] = (8, 16, 32, 64),
                 sigma: float = DEFAULT_SALIENCY_SIGMA,
                 loss: dict = dict(
                     type='FocalLoss',
                     use_sigmoid=True,
                     alpha=0.25,
                     gamma=2.0,
                     loss_weight=2.0),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if embed_dims < 2:
            raise ConfigError('model.saliency_head.embed_dims must be >= 2 '
                              f'(a local and a global part), got '
                              f'{embed_dims}')
        if len(strides) != num_levels:
            raise ConfigError(
                f'model.saliency_head.strides has {len(strides)} entries '
                f'{tuple(strides)} but num_levels is {num_levels}')
        if sigma <= 0:
            raise ConfigError(
                f'model.saliency_head.sigma must be > 0, got {sigma}')
        self.embed_dims = embed_dims
        self.num_levels = num_levels
        self.strides = tuple(int(s) for s in strides)
        self.sigma = float(sigma)
        self.learnable_alpha = learnable_alpha
        if learnable_alpha:
            self.alpha = nn.Parameter(torch.tensor(float(alpha)))
        else:
            self.alpha = float(alpha)
        self.alpha_init = float(alpha)
        self.local_dims = embed_dims // 2
        self.mlp1 = nn.Sequential(
            nn.LayerNorm(embed_dims), nn.Linear(embed_dims, embed_dims),
            nn.GELU())
        self.mlp2 = nn.Sequential(
            nn.Linear(embed_dims, embed_dims // 2), nn.GELU(),
            nn.Linear(embed_dims // 2, 1))
        self.loss_saliency = MODELS.build(loss)

    def init_weights(self) -> None:
        """Initialise the weights.

        Without ``init_cfg``: Linear weights truncated normal (std 0.02,
        as in Swin/ViT MLPs), biases 0, except the last Linear's bias,
        ``-log((1 - 0.01) / 0.01)`` (prior probability 0.01 per level, as
        RetinaNet's and DINO's focal-loss classifiers); LayerNorm weight 1,
        bias 0; a learnable ``alpha`` is reset to its initial value. With
        ``init_cfg`` only that config is applied. The head is not part of
        DINO's encoder, so ``DINO.init_weights``'s xavier pass does not
        overwrite this.
        """
        if self.init_cfg is None:
            self._default_init()
        super().init_weights()

    def _default_init(self) -> None:
        """The initialisation used without ``init_cfg``."""
        for module in self.modules():
            if isinstance(module, nn.Linear):
                trunc_normal_init(module, std=0.02, bias=0.)
            elif isinstance(module, nn.LayerNorm):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
        nn.init.constant_(self.mlp2[-1].bias, bias_init_with_prob(0.01))
        if self.learnable_alpha:
            with torch.no_grad():
                self.alpha.fill_(self.alpha_init)

    def _check_levels(self, spatial_shapes: Tensor) -> List[Tuple[int, int]]:
        """(h, w) of every level as ints, checked against ``num_levels``."""
        shapes = [(int(h), int(w)) for h, w in spatial_shapes.tolist()]
        if len(shapes) != self.num_levels:
            raise ConfigError(
                f'SaliencyScoreHead got {len(shapes)} feature levels but '
                f'model.saliency_head.num_levels is {self.num_levels}')
        return shapes

    @staticmethod
    def _valid_sizes(padding_mask: Tensor, shapes: List[Tuple[int, int]],
                     level_start_index: Tensor) -> List[Tensor]:
        """Valid rows and columns of every image on every level.

        DETR padding masks are top-left rectangles per level (mmdet
        interpolates the image mask to each level), so the valid height
        is the number of unpadded tokens of the first column and the valid
        width that of the first row.

        Returns:
            list[Tensor]: One (B, 2) LongTensor ``(h_valid, w_valid)`` per
            level.
        """
        sizes = []
        for (h, w), start in zip(shapes, level_start_index.tolist()):
            valid = ~padding_mask[:, start:start + h * w].view(-1, h, w)
            sizes.append(
                torch.stack([valid[:, :, 0].sum(1), valid[:, 0, :].sum(1)],
                            dim=1))
        return sizes

    def _fuse(self, scores: List[Tensor],
              valid_sizes: Optional[List[Tensor]]) -> List[Tensor]:
        """Top-down fusion (eq. 6) of the per-level score maps.

        Args:
            scores (list[Tensor]): (B, h_l, w_l) per-level scores, fine to
                coarse.
            valid_sizes (list[Tensor], optional): Per-level (B, 2) valid
                sizes, None when nothing is padded.

        Returns:
            list[Tensor]: (B, h_l, w_l) fused scores, fine to coarse.
        """
        fused = [None] * len(scores)
        fused[-1] = scores[-1]
        for lvl in range(len(scores) - 1, 0, -1):
            coarse, fine = fused[lvl], scores[lvl - 1]
            if valid_sizes is None:
                up = F.interpolate(
                    coarse[:, None],
                    size=fine.shape[-2:],
                    mode='bilinear',
                    align_corners=False)[:, 0]
            else:
                up = fine.new_zeros(fine.shape)
                for b, ((hc, wc), (hf, wf)) in enumerate(
                        zip(valid_sizes[lvl].tolist(),
                            valid_sizes[lvl - 1].tolist())):
                    if min(hc, wc, hf, wf) == 0:
                        continue
                    up[b, :hf, :wf] = F.interpolate(
                        coarse[b:b + 1, None, :hc, :wc],
                        size=(hf, wf),
                        mode='bilinear',
                        align_corners=False)[0, 0]
            fused[lvl - 1] = self.alpha * up + fine
        return fused

    def forward(self,
                feat: Tensor,
                spatial_shapes: Tensor,
                level_start_index: Tensor,
                padding_mask: Optional[Tensor] = None) -> Tensor:
        """Fused saliency logits of every token (eqs. 5 and 6).

        Args:
            feat (Tensor): Flattened pyramid features (B, N, C), levels
                fine to coarse (the ``feat`` DINO gives its encoder).
            spatial_shapes (Tensor): (L, 2) token grid ``(h, w)`` of each
                level.
            level_start_index (Tensor): (L,) index of each level's first
                token in N.
            padding_mask (Tensor, optional): (B, N) bool, True at padded
                tokens, or None when the batch has no padding.

        Returns:
            Tensor: (B, N) fused logits. A padded token gets its own
            unfused score, which means nothing: callers mask it.
        """
        shapes = self._check_levels(spatial_shapes)
        if padding_mask is not None and not padding_mask.any():
            padding_mask = None
        x = self.mlp1(feat)
        x_local, x_global = x[..., :self.local_dims], x[..., self.local_dims:]
        batch = feat.size(0)
        pooled = []
        for (h, w), start in zip(shapes, level_start_index.tolist()):
            x_lvl = x_global[:, start:start + h * w]
            if padding_mask is None:
                mean = x_lvl.mean(dim=1, keepdim=True)
            else:
                valid = (~padding_mask[:, start:start + h * w])[..., None]
                num_valid = valid.sum(dim=1, keepdim=True).clamp(min=1)
                mean = (x_lvl * valid).sum(dim=1, keepdim=True) / num_valid
            pooled.append(mean.expand(-1, h * w, -1))
        x = torch.cat([x_local, torch.cat(pooled, dim=1)], dim=-1)
        scores = self.mlp2(x)[..., 0]  # (B, N)
        score_maps = [
            scores[:, start:start + h * w].view(batch, h, w)
            for (h, w), start in zip(shapes, level_start_index.tolist())
        ]
        valid_sizes = None if padding_mask is None else self._valid_sizes(
            padding_mask, shapes, level_start_index)
        fused = self._fuse(score_maps, valid_sizes)
        return torch.cat([m.flatten(1) for m in fused], dim=1)

    def loss(self, scores: Tensor, spatial_shapes: Tensor,
             padding_mask: Optional[Tensor],
             batch_data_samples: SampleList) -> Dict[str, Tensor]:
        """Soft-target focal loss of the fused logits (``L_sa``).

        Targets come from :func:`gaussian_saliency_targets` on each
        sample's ``gt_instances.bboxes`` (input-pixel frame). The loss is
        summed over the valid tokens of all levels (padded tokens have
        weight 0) and divided by the number of tokens with a target > 0 in
        the batch, averaged over ranks and clamped at >= 1.

        Args:
            scores (Tensor): (B, N) fused logits from :meth:`forward`.
            spatial_shapes (Tensor): (L, 2) token grid of each level.
            padding_mask (Tensor, optional): (B, N) bool, True at padded
                tokens, or None.
            batch_data_samples (list[DetDataSample]): The batch, with
                ``gt_instances.bboxes``.

        Returns:
            dict[str, Tensor]: ``loss_saliency``.
        """
        self._check_levels(spatial_shapes)
        gt_bboxes = [
            get_box_tensor(s.gt_instances.bboxes) for s in batch_data_samples
        ]
        targets = gaussian_saliency_targets(gt_bboxes, spatial_shapes,
                                            self.strides, self.sigma)
        targets = targets.to(scores.device)
        if padding_mask is None:
            weight = torch.ones_like(targets)
        else:
            weight = (~padding_mask).to(targets.dtype)
            targets = targets * weight
        num_pos = (targets > 0).sum().to(torch.float32)
        avg_factor = reduce_mean(num_pos).clamp(min=1).item()
        loss = self.loss_saliency(
            scores.reshape(-1, 1),
            targets.reshape(-1, 1),
            weight=weight.reshape(-1, 1),
            avg_factor=avg_factor)
        return dict(loss_saliency=loss)

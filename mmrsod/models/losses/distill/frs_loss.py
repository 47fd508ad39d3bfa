# Copyright (c) mmrsod contributors. All rights reserved.
"""FRS: Distilling Object Detectors with Feature Richness (Du et al.,
NeurIPS 2021)."""
from typing import Dict

import torch.nn.functional as F
from mmdet.registry import MODELS
from torch import Tensor, nn

from ..ifkd.frs_richness_mask import frs_richness_mask
from ..level_pairs import check_level_pairs

__all__ = ['FRSLoss']


@MODELS.register_module()
class FRSLoss(nn.Module):
    """Feature-richness-masked feature and head distillation.

    Per level l the feature-richness mask ``M_l`` is the maximum over the
    teacher's classification channels of its sigmoid scores
    (:func:`~mmrsod.models.losses.ifkd.frs_richness_mask`; RetinaNet cls
    logits, or the RPN objectness for Faster R-CNN), detached. Each term is
    a mask-weighted mean, normalised by the mask summed over the weighted
    elements (at least 1), and summed over levels:

    - ``feat = w_feat * sum_l sum(M_l (phi_adapt(S_l) - T_l)^2) /
      sum(M_l broadcast over C)``
    - ``head = w_head * sum_l sum(M_l BCE(sigma(s_l), sigma(t_l))) /
      sum(M_l broadcast over A*K)``

    with the BCE against the teacher's soft scores (it equals the teacher's
    entropy, not 0, when student and teacher agree; its gradient is 0
    there). ``phi_adapt`` is the wrapper's per-level 3x3 adapter (FRS's
    ``ADAP``; configure ``model.adapters``). Defaults are FRS's RetinaNet
    weights (feat 0.005, cls 0.02); FRS's Faster R-CNN weights are feat
    0.002, cls 0.1 (FRS configs, as recorded in
    ``/work/shared/notes/seed-implementations.md``).

    Args:
        feat_weight (float): Feature loss weight. Defaults to 0.005.
        head_weight (float): Head loss weight. Defaults to 0.02.
    """

    def __init__(self,
                 feat_weight: float = 0.005,
                 head_weight: float = 0.02) -> None:
        super().__init__()
        self.feat_weight = feat_weight
        self.head_weight = head_weight

    def forward(self, ctx) -> Dict[str, Tensor]:
        """Compute the loss.

        Args:
            ctx (DistillContext): ``student_feats_adapted`` and
                ``teacher_feats`` (L maps (B, C, H_l, W_l)),
                ``student_cls`` and ``teacher_cls`` (L logits
                (B, A*K, H_l, W_l)).

        Returns:
            dict[str, Tensor]: ``loss_frs_feat`` and ``loss_frs_head``.
        """
        teacher_cls = [t.detach() for t in ctx.teacher_cls]
        masks = frs_richness_mask(teacher_cls)
        check_level_pairs('FRSLoss', ctx.student_feats_adapted,
                          ctx.teacher_feats, 'feature', len(masks))
        check_level_pairs('FRSLoss', ctx.student_cls, teacher_cls, 'cls',
                          len(masks))
        feat = head = 0.
        for s, t, m in zip(ctx.student_feats_adapted, ctx.teacher_feats,
                           masks):
            if m.shape[-2:] != t.shape[-2:]:
                raise ValueError(f'FRSLoss: mask {tuple(m.shape)} vs '
                                 f'feature map {tuple(t.shape)}')
            err = (s - t.detach()).pow(2) * m
            feat = feat + err.sum() / (m.sum() * t.shape[1]).clamp(min=1)
        for s, t, m in zip(ctx.student_cls, teacher_cls, masks):
            bce = F.binary_cross_entropy_with_logits(
                s, t.sigmoid(), reduction='none') * m
            head = head + bce.sum() / (m.sum() * t.shape[1]).clamp(min=1)
        return dict(
            loss_frs_feat=self.feat_weight * feat,
            loss_frs_head=self.head_weight * head)

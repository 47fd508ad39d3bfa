# Copyright (c) mmrsod contributors. All rights reserved.
"""IFKD detection-head distillation loss (eq. 13)."""
from typing import List, Optional

import torch.nn as nn
import torch.nn.functional as F
from mmdet.registry import MODELS
from torch import Tensor

from ..level_pairs import check_level_pairs
from .ifkd_feature_loss import masked_location_mean

__all__ = ['IFKDHeadLoss']


@MODELS.register_module()
class IFKDHeadLoss(nn.Module):
    """HSM-weighted BCE between student and teacher classification outputs
    (eq. 13).

    ``L_head = sum_l 1/N_l sum_{b,h,w} M^l_bhw sum_c
    BCE(sigmoid(y^s_lbchw), sigmoid(y^t_lbchw))`` with
    ``N_l = sum_{b,h,w} M^l_bhw`` (the paper leaves N_l undefined; with
    the ``'mean'`` HSM normalisation it equals B x H x W on average). The
    teacher probabilities are soft targets (detached); the BCE is taken on
    the student logits (``binary_cross_entropy_with_logits``).

    Args:
        loss_weight (float): beta of eq. 14. Defaults to 0.5.
        eps (float): Floor of the mask sum. Defaults to 1e-12.
    """

    def __init__(self, loss_weight: float = 0.5, eps: float = 1e-12) -> None:
        super().__init__()
        self.loss_weight = loss_weight
        self.eps = eps

    def forward(self,
                student_logits: List[Tensor],
                teacher_logits: List[Tensor],
                weights: Optional[List[Tensor]] = None) -> Tensor:
        """Weighted BCE summed over levels.

        Args:
            student_logits (list[Tensor]): Student classification logits
                (RetinaNet cls scores or RPN objectness), each
                (B, A * K, H_l, W_l).
            teacher_logits (list[Tensor]): Teacher logits, same shapes.
            weights (list[Tensor], optional): HSM masks, each
                (B, 1, H_l, W_l).

        Returns:
            Tensor: ``loss_weight * L_head`` (scalar).
        """
        check_level_pairs(
            type(self).__name__,
            student_logits,
            teacher_logits,
            'cls',
            weights=weights)
        total = student_logits[0].new_zeros(())
        for level, (s, t) in enumerate(zip(student_logits, teacher_logits)):
            bce = F.binary_cross_entropy_with_logits(
                s, t.detach().sigmoid(), reduction='none')
            w = None if weights is None else weights[level]
            total = total + masked_location_mean(bce, w, 'sum', self.eps)
        return self.loss_weight * total

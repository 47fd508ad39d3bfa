# Copyright (c) mmrsod contributors. All rights reserved.
"""IFKD feature distillation loss (eq. 12)."""
from typing import List, Optional

import torch.nn as nn
from mmdet.registry import MODELS
from torch import Tensor

from mmrsod.utils import ConfigError
from ..level_pairs import check_level_pairs

__all__ = ['IFKDFeatureLoss', 'masked_location_mean']

_CHANNEL_REDUCTIONS = ('sum', 'mean')


def masked_location_mean(loss_map: Tensor,
                         weight: Optional[Tensor],
                         channel_reduction: str = 'sum',
                         eps: float = 1e-12) -> Tensor:
    """``sum_{b,h,w} M_bhw red_c(L_bchw) / sum_{b,h,w} M_bhw``.

    Args:
        loss_map (Tensor): Element-wise loss (B, C, H, W).
        weight (Tensor, optional): Location weights (B, 1, H, W); None
            weighs every location 1 (the mean over B x H x W).
        channel_reduction (str): ``'sum'`` or ``'mean'`` over C.
        eps (float): Floor of the weight sum. Defaults to 1e-12.

    Returns:
        Tensor: Scalar.
    """
    b, _, h, w = loss_map.shape
    per_loc = (
        loss_map.sum(1, keepdim=True)
        if channel_reduction == 'sum' else loss_map.mean(1, keepdim=True))
    if weight is None:
        return per_loc.mean()
    if weight.shape != (b, 1, h, w):
        raise ValueError(f'location weights must be {(b, 1, h, w)}, got '
                         f'{tuple(weight.shape)}')
    weight = weight.detach().to(per_loc.dtype)
    return (per_loc * weight).sum() / weight.sum().clamp_min(eps)


@MODELS.register_module()
class IFKDFeatureLoss(nn.Module):
    """HSM-weighted feature imitation (eq. 12, missing in the paper).

    ``L_feat = sum_l sum_{b,h,w} M^l_bhw sum_c (S^l_bchw - T^l_bchw)^2 /
    sum_{b,h,w} M^l_bhw`` with ``S = phi_adapt(F_s)``,
    ``T = phi_FDR(phi_EDE(F_t))`` and ``M`` the HSM (FRS's
    normalisation: channel sum, divided by the mask sum of the level over
    the batch). Without weights every location weighs 1.

    The target is **not** detached by default: FDR's learnable filter sits
    on the teacher side and learns only through ``T`` (the paper's
    "learnable filter"). The teacher's own features must come from a
    ``no_grad`` forward (the distillation wrapper's job), so no gradient
    reaches the teacher. ``detach_target=True`` makes the target a
    constant (the filter then gets no gradient from this loss).

    Args:
        loss_weight (float): alpha of eq. 14. Defaults to 0.06.
        channel_reduction (str): ``'sum'`` over channels (default) or
            ``'mean'`` (divides by C).
        detach_target (bool): Detach ``T``. Defaults to False.
        eps (float): Floor of the mask sum. Defaults to 1e-12.
    """

    def __init__(self,
                 loss_weight: float = 0.06,
                 channel_reduction: str = 'sum',
                 detach_target: bool = False,
                 eps: float = 1e-12) -> None:
        super().__init__()
        if channel_reduction not in _CHANNEL_REDUCTIONS:
            raise ConfigError(f'IFKDFeatureLoss: channel_reduction must be '
                              f'one of {_CHANNEL_REDUCTIONS}, got '
                              f'{channel_reduction!r}')
        self.loss_weight = loss_weight
        self.channel_reduction = channel_reduction
        self.detach_target = detach_target
        self.eps = eps

    def forward(self,
                student_feats: List[Tensor],
                teacher_feats: List[Tensor],
                weights: Optional[List[Tensor]] = None) -> Tensor:
        """Weighted loss summed over levels.

        Args:
            student_feats (list[Tensor]): Adapted student maps, each
                (B, C, H_l, W_l).
            teacher_feats (list[Tensor]): Targets, same shapes (detached
                here only with ``detach_target``).
            weights (list[Tensor], optional): HSM masks, each
                (B, 1, H_l, W_l) (detached here).

        Returns:
            Tensor: ``loss_weight * L_feat`` (scalar).
        """
        check_level_pairs(
            type(self).__name__, student_feats, teacher_feats, weights=weights)
        total = student_feats[0].new_zeros(())
        for level, (s, t) in enumerate(zip(student_feats, teacher_feats)):
            w = None if weights is None else weights[level]
            if self.detach_target:
                t = t.detach()
            total = total + masked_location_mean(
                (s - t).pow(2), w, self.channel_reduction, self.eps)
        return self.loss_weight * total

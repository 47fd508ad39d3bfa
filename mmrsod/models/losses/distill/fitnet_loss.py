# Copyright (c) mmrsod contributors. All rights reserved.
"""FitNet hint loss (Romero et al., ICLR 2015) on FPN features."""
from mmdet.registry import MODELS
from torch import Tensor, nn

from ..level_pairs import check_level_pairs

__all__ = ['FitNetLoss']


@MODELS.register_module()
class FitNetLoss(nn.Module):
    """Squared error between the adapted student FPN maps and the teacher's.

    FitNet's regressor is the wrapper's per-level adapter (``phi_adapt``, a
    3x3 conv; configure ``model.adapters``), so the loss reads
    ``ctx.student_feats_adapted``. Per level the squared error is averaged
    over all elements (B x C x H x W); the levels are summed:

    ``loss = loss_weight * sum_l mean((phi_adapt(S_l) - T_l) ** 2)``

    Args:
        loss_weight (float): Weight of the loss. Defaults to 1.0.
    """

    def __init__(self, loss_weight: float = 1.0) -> None:
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, ctx) -> Tensor:
        """Compute the loss.

        Args:
            ctx (DistillContext): ``student_feats_adapted`` and
                ``teacher_feats``: L tensors (B, C, H_l, W_l) each, same
                shapes level by level.

        Returns:
            Tensor: Scalar loss.
        """
        check_level_pairs('FitNetLoss', ctx.student_feats_adapted,
                          ctx.teacher_feats)
        total = 0.
        for s, t in zip(ctx.student_feats_adapted, ctx.teacher_feats):
            total = total + (s - t.detach()).pow(2).mean()
        return self.loss_weight * total

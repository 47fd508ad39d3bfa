# Copyright (c) mmrsod contributors. All rights reserved.
"""Attention transfer (Zagoruyko and Komodakis, ICLR 2017) on FPN maps."""
from mmdet.registry import MODELS
from torch import Tensor, nn

from ..level_pairs import check_level_pairs

__all__ = ['ATLoss', 'attention_map']


def attention_map(feat: Tensor, p: int = 2, eps: float = 1e-12) -> Tensor:
    """Normalised spatial attention ``Q / ||Q||_2`` with
    ``Q = sum_c |F_c| ** p``.

    Args:
        feat (Tensor): Features (B, C, H, W).
        p (int): Exponent. Defaults to 2.
        eps (float): Lower bound of the norm.

    Returns:
        Tensor: (B, H*W), each row of unit L2 norm.
    """
    q = feat.abs().pow(p).sum(dim=1).flatten(1)
    return q / q.norm(p=2, dim=1, keepdim=True).clamp_min(eps)


@MODELS.register_module()
class ATLoss(nn.Module):
    """Attention transfer between student and teacher FPN maps.

    The paper's term ``beta/2 * sum_j || Q_S/||Q_S|| - Q_T/||Q_T|| ||_2``
    per image; here averaged over the batch and summed over the FPN levels,
    with ``beta/2`` as ``loss_weight``. It uses the raw student maps
    (``ctx.student_feats``): the attention sums over channels, so the
    channel counts need not match; the spatial sizes must.

    Args:
        p (int): Exponent of the attention map. Defaults to 2.
        loss_weight (float): Weight (``beta / 2``). Defaults to 1.0.
    """

    def __init__(self, p: int = 2, loss_weight: float = 1.0) -> None:
        super().__init__()
        self.p = p
        self.loss_weight = loss_weight

    def forward(self, ctx) -> Tensor:
        """Compute the loss.

        Args:
            ctx (DistillContext): ``student_feats`` and ``teacher_feats``:
                L tensors (B, C, H_l, W_l) each.

        Returns:
            Tensor: Scalar loss.
        """
        check_level_pairs(
            'ATLoss',
            ctx.student_feats,
            ctx.teacher_feats,
            same_channels=False)
        total = 0.
        for s, t in zip(ctx.student_feats, ctx.teacher_feats):
            diff = attention_map(s, self.p) - attention_map(t.detach(), self.p)
            total = total + diff.norm(p=2, dim=1).mean()
        return self.loss_weight * total

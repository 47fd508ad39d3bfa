# Copyright (c) mmrsod contributors. All rights reserved.
"""Input check shared by the distillation losses."""
from typing import Optional, Sequence

from torch import Tensor

__all__ = ['check_level_pairs']


def check_level_pairs(loss_name: str,
                      students: Sequence[Tensor],
                      teachers: Sequence[Tensor],
                      kind: str = 'feature',
                      num_levels: Optional[int] = None,
                      weights: Optional[Sequence[Tensor]] = None,
                      same_channels: bool = True) -> None:
    """Check that student and teacher maps pair up level by level.

    ``zip`` over lists of different lengths silently drops levels, and a
    shape mismatch otherwise surfaces as a broadcasting error deep in torch;
    this raises one line that names the loss, the level and both shapes.

    Args:
        loss_name (str): Name put in front of the message, e.g.
            ``'FGDLoss'``.
        students (Sequence[Tensor]): L student maps (B, C, H_l, W_l).
        teachers (Sequence[Tensor]): L teacher maps (B, C', H_l, W_l).
        kind (str): What the maps are (``'feature'``, ``'cls'``), for the
            message. Defaults to ``'feature'``.
        num_levels (int, optional): Required number of levels. Defaults to
            None (any, as long as both lists agree).
        weights (Sequence[Tensor], optional): Per-level location weights
            whose number must match too. Defaults to None.
        same_channels (bool): Whether C must equal C' (False for losses that
            reduce the channel axis first, e.g. attention transfer).
            Defaults to True.

    Raises:
        ValueError: If the level counts or the shapes of a level differ, or a
            map is not 4-D.
    """
    num = len(students)
    if (num != len(teachers) or (num_levels is not None and num != num_levels)
            or (weights is not None and len(weights) != num)):
        expected = '' if num_levels is None else f', expected {num_levels}'
        weight_part = '' if weights is None else \
            f' and {len(weights)} weight levels'
        raise ValueError(
            f'{loss_name}: {num} student / {len(teachers)} teacher {kind} '
            f'levels{weight_part}{expected}')
    for level, (s, t) in enumerate(zip(students, teachers)):
        if same_channels:
            ok = s.shape == t.shape
            what = '(B, C, H, W) must be equal'
        else:
            ok = s.shape[:1] == t.shape[:1] and s.shape[2:] == t.shape[2:]
            what = 'B, H and W must be equal'
        if not ok or s.dim() != 4 or t.dim() != 4:
            raise ValueError(
                f'{loss_name}: level {level} student {kind} map '
                f'{tuple(s.shape)} vs teacher {kind} map {tuple(t.shape)}: '
                f'{what}')

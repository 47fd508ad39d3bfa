# Copyright (c) mmrsod contributors. All rights reserved.
"""FRS feature-richness mask (Du et al., NeurIPS 2021), used by IFKD's
FDR (Alg. 1, step 3)."""
from typing import List

import torch
from torch import Tensor

__all__ = ['frs_richness_mask']


@torch.no_grad()
def frs_richness_mask(cls_scores: List[Tensor]) -> List[Tensor]:
    """Max over the score channels of the teacher's sigmoid scores.

    For RetinaNet the channels are anchors x classes (the maximum over
    both), for Faster R-CNN the RPN objectness channels (one per anchor).

    Args:
        cls_scores (list[Tensor]): Teacher classification logits per FPN
            level, each (B, A * K, H_l, W_l).

    Returns:
        list[Tensor]: Detached masks in [0, 1], each (B, 1, H_l, W_l).
    """
    masks = []
    for level, score in enumerate(cls_scores):
        if score.dim() != 4:
            raise ValueError(f'frs_richness_mask: level {level} scores must '
                             f'be (B, A*K, H, W), got {tuple(score.shape)}')
        masks.append(score.sigmoid().amax(dim=1, keepdim=True))
    return masks

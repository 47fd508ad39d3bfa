# Copyright (c) mmrsod contributors. All rights reserved.
"""Soft saliency targets of SDCoNet (paper eq. 7): a scale-agnostic
Gaussian decay from each GT box centre, inside the box, 0 outside."""
import math
from typing import List, Sequence

import torch
from torch import Tensor

__all__ = ['gaussian_saliency_targets', 'DEFAULT_SALIENCY_SIGMA']

#: ``1 / sqrt(2 ln 2)``: the Gaussian is 0.5 at the edge midpoints of a box
#: and 0.25 at its corners (offsets are relative to the half extents).
DEFAULT_SALIENCY_SIGMA = 1.0 / math.sqrt(2.0 * math.log(2.0))


def _level_targets(boxes: Tensor, height: int, width: int, stride: int,
                   sigma: float) -> Tensor:
    """Targets of one image on one level.

    Args:
        boxes (Tensor): GT boxes (n, 4), xyxy in input pixels, n > 0.
        height (int): Rows of the level's token grid.
        width (int): Columns of the level's token grid.
        stride (int): Stride of the level in input pixels.
        sigma (float): Gaussian sigma in units of the box half extents.

    Returns:
        Tensor: (height * width,) targets in [0, 1].
    """
    xs = (torch.arange(width, device=boxes.device, dtype=boxes.dtype) +
          0.5) * stride
    ys = (torch.arange(height, device=boxes.device, dtype=boxes.dtype) +
          0.5) * stride
    x1, y1, x2, y2 = (boxes[:, i:i + 1] for i in range(4))  # (n, 1) each
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    half_w = ((x2 - x1) / 2).clamp(min=1e-6)
    half_h = ((y2 - y1) / 2).clamp(min=1e-6)
    # The Gaussian is evaluated at the point of the box nearest to the
    # token centre: the token centre itself when it lies inside the box;
    # for the centre cell of a box smaller than the stride (token centre
    # outside the box) a point on the box border, so its value is >= 0.25.
    dx = (torch.minimum(torch.maximum(xs[None], x1), x2) - cx) / half_w
    dy = (torch.minimum(torch.maximum(ys[None], y1), y2) - cy) / half_h
    gauss_x = torch.exp(-dx.square() / (2 * sigma**2))  # (n, width)
    gauss_y = torch.exp(-dy.square() / (2 * sigma**2))  # (n, height)
    inside_x = (xs[None] >= x1) & (xs[None] <= x2)  # (n, width)
    inside_y = (ys[None] >= y1) & (ys[None] <= y2)  # (n, height)
    inside = inside_y[:, :, None] & inside_x[:, None, :]  # (n, h, w)
    # The token whose cell contains the box centre counts as inside.
    idx = torch.arange(boxes.size(0), device=boxes.device)
    col = torch.div(cx[:, 0], stride, rounding_mode='floor').long()
    row = torch.div(cy[:, 0], stride, rounding_mode='floor').long()
    inside[idx, row.clamp(0, height - 1), col.clamp(0, width - 1)] = True
    values = gauss_y[:, :, None] * gauss_x[:, None, :]  # (n, h, w)
    values = values.masked_fill(~inside, 0)
    # Overlapping boxes: the largest value wins.
    return values.amax(dim=0).flatten()


def gaussian_saliency_targets(gt_bboxes: List[Tensor],
                              spatial_shapes: Tensor,
                              strides: Sequence[int],
                              sigma: float = DEFAULT_SALIENCY_SIGMA) -> Tensor:
    """Soft saliency targets of every encoder token (SDCoNet eq. 7).

    Token ``(i, j)`` of level ``l`` (stride ``s_l``) has its centre at
    ``((j + 0.5) s_l, (i + 0.5) s_l)`` in input pixels, the frame of the GT
    boxes. Inside a box with centre ``(cx, cy)``, width ``w`` and height
    ``h`` the target is ``exp(-(dx'^2 + dy'^2) / (2 sigma^2))`` with the
    scale-agnostic offsets ``dx' = (x - cx) / (w / 2)`` and
    ``dy' = (y - cy) / (h / 2)``; outside every box it is 0. With the
    default ``sigma = 1 / sqrt(2 ln 2)`` the target is 1 at the box centre,
    0.5 at the edge midpoints and 0.25 at the corners, whatever the box
    size.

    Rules:

    - Overlapping boxes: the maximum over the boxes.
    - The token whose cell ``[j s, (j + 1) s) x [i s, (i + 1) s)`` contains
      the box centre counts as inside, so a box smaller than the stride
      still has one positive token on every level. Its value is the
      Gaussian at the point of the box nearest to the token centre (the
      token centre itself when that lies in the box), at least 0.25.
    - Every level gets every box (no size-to-level assignment).
    - An image without boxes gets zeros. Padded tokens are not known here:
      the caller masks them (their targets are computed like any other).

    Args:
        gt_bboxes (list[Tensor]): One (n_i, 4) tensor of xyxy boxes in
            input pixels per image; n_i may be 0.
        spatial_shapes (Tensor): (L, 2) token grid ``(h, w)`` of each
            level, in DINO's level order (fine to coarse).
        strides (Sequence[int]): Stride of each level in input pixels,
            ``len(strides) == L``.
        sigma (float): Gaussian sigma in units of the box half extents.
            Defaults to ``1 / sqrt(2 ln 2)``.

    Returns:
        Tensor: (B, N) float32 targets in [0, 1], ``B = len(gt_bboxes)``,
        ``N = sum_l h_l * w_l``, levels flattened row-major in order.
    """
    shapes = [(int(h), int(w)) for h, w in spatial_shapes.tolist()]
    if len(strides) != len(shapes):
        raise ValueError(f'gaussian_saliency_targets: {len(strides)} strides '
                         f'{tuple(strides)} for {len(shapes)} levels')
    num_tokens = sum(h * w for h, w in shapes)
    targets = spatial_shapes.new_zeros((len(gt_bboxes), num_tokens),
                                       dtype=torch.float32)
    for b, boxes in enumerate(gt_bboxes):
        if boxes.numel() == 0:
            continue
        boxes = boxes.to(device=targets.device, dtype=torch.float32)
        per_level = [
            _level_targets(boxes, h, w, stride, sigma)
            for (h, w), stride in zip(shapes, strides)
        ]
        targets[b] = torch.cat(per_level)
    return targets

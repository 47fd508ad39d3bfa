# Copyright (c) mmrsod contributors. All rights reserved.
"""IFKD's external disturbance (EDE, eq. 1) from MobileSAM embeddings."""
import math
from typing import List, Sequence, Tuple

import torch.nn.functional as F
from torch import Tensor

__all__ = ['external_disturbance', 'add_external_disturbance']

Size = Tuple[int, int]


def external_disturbance(sam_feats: Tensor, valid_sizes: Sequence[Size],
                         img_shapes: Sequence[Size], batch_input_shape: Size,
                         feat_sizes: Sequence[Size]) -> List[Tensor]:
    """``sigmoid(F_sam)`` laid out on each FPN level of a padded batch.

    For image ``i`` the valid part ``sam_feats[i, :, :vh, :vw]`` (the
    embedding of image content, without MobileSAM's zero padding) is
    resized bilinearly to the part of level ``l`` covered by the image,
    ``ceil(h_i * H_l / H_pad) x ceil(w_i * W_l / W_pad)``, passed through a
    sigmoid and placed at the top-left; the batch padding gets 0 (no
    disturbance where there is no image).

    Args:
        sam_feats (Tensor): (B, C, 64, 64) MobileSAM embeddings of the
            unpadded images (one forward per image size).
        valid_sizes (Sequence[tuple[int, int]]): Per image, the valid
            embedding size (:meth:`MobileSAMEncoder.valid_size`).
        img_shapes (Sequence[tuple[int, int]]): Per image, (h, w) of the
            image inside the padded batch (mmdet's ``img_shape``).
        batch_input_shape (tuple[int, int]): (H_pad, W_pad) of the batch.
        feat_sizes (Sequence[tuple[int, int]]): (H_l, W_l) of each FPN level.

    Returns:
        list[Tensor]: Per level (B, C, H_l, W_l), values in [0, 1).
    """
    b, c = sam_feats.shape[:2]
    pad_h, pad_w = batch_input_shape
    outs = []
    for level_h, level_w in feat_sizes:
        out = sam_feats.new_zeros(b, c, level_h, level_w)
        for i in range(b):
            vh, vw = valid_sizes[i]
            h = min(level_h, math.ceil(img_shapes[i][0] * level_h / pad_h))
            w = min(level_w, math.ceil(img_shapes[i][1] * level_w / pad_w))
            crop = sam_feats[i:i + 1, :, :vh, :vw]
            if (h, w) != (vh, vw):
                crop = F.interpolate(
                    crop, (h, w), mode='bilinear', align_corners=False)
            out[i, :, :h, :w] = crop[0].sigmoid()
        outs.append(out)
    return outs


def add_external_disturbance(teacher_feats: Sequence[Tensor],
                             disturbance: Sequence[Tensor]) -> List[Tensor]:
    """Eq. 1: ``F_t + sigmoid(F_sam)`` per FPN level.

    Args:
        teacher_feats (Sequence[Tensor]): Per level (B, C, H_l, W_l).
        disturbance (Sequence[Tensor]): :func:`external_disturbance`'s
            output, same shapes.

    Returns:
        list[Tensor]: Per level (B, C, H_l, W_l).
    """
    if len(teacher_feats) != len(disturbance):
        raise ValueError(f'{len(teacher_feats)} teacher levels, '
                         f'{len(disturbance)} disturbance levels')
    return [t + d.to(t.dtype) for t, d in zip(teacher_feats, disturbance)]

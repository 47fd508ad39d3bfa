# Copyright (c) mmrsod contributors. All rights reserved.
"""RGB <-> YCbCr conversion (ITU-R BT.601 full range, JPEG convention)."""
import torch
from torch import Tensor

from mmrsod.utils.color_space import (BT601_RGB_TO_YCBCR,
                                      BT601_YCBCR_OFFSET_8BIT)

__all__ = ['rgb_to_ycbcr', 'ycbcr_to_rgb']

_RGB2YCBCR = BT601_RGB_TO_YCBCR
# on the [0, 1] scale: 128 / 255 for Cb and Cr, as the 8-bit convention
_YCBCR_OFFSET = tuple(v / 255.0 for v in BT601_YCBCR_OFFSET_8BIT)


def _check(img: Tensor, name: str) -> None:
    if img.dim() < 3 or img.shape[-3] != 3:
        raise ValueError(f'{name}: expected a tensor of shape (..., 3, H, W),'
                         f' got {tuple(img.shape)}')


def rgb_to_ycbcr(img: Tensor) -> Tensor:
    """Convert RGB to YCbCr, both scaled to [0, 1].

    Same convention as PIL's ``convert('YCbCr')`` (BT.601 full range) up to
    PIL's 8-bit rounding.

    Args:
        img (Tensor): RGB image(s) of shape (..., 3, H, W) in [0, 1].

    Returns:
        Tensor: YCbCr image(s), channel order Y, Cb, Cr, same shape.
    """
    _check(img, 'rgb_to_ycbcr')
    mat = img.new_tensor(_RGB2YCBCR)
    offset = img.new_tensor(_YCBCR_OFFSET).view(3, 1, 1)
    return torch.einsum('ij,...jhw->...ihw', mat, img) + offset


def ycbcr_to_rgb(img: Tensor) -> Tensor:
    """Convert YCbCr (scaled to [0, 1]) back to RGB in [0, 1] (unclamped).

    Args:
        img (Tensor): YCbCr image(s) of shape (..., 3, H, W).

    Returns:
        Tensor: RGB image(s) of the same shape.
    """
    _check(img, 'ycbcr_to_rgb')
    mat = torch.linalg.inv(img.new_tensor(_RGB2YCBCR, dtype=torch.float64))
    offset = img.new_tensor(_YCBCR_OFFSET).view(3, 1, 1)
    return torch.einsum('ij,...jhw->...ihw', mat.to(img.dtype), img - offset)

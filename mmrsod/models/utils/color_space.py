# Copyright (c) mmrsod contributors. All rights reserved.
"""RGB <-> YCbCr conversion (ITU-R BT.601 full range, JPEG convention)."""
import torch
from torch import Tensor

__all__ = ['rgb_to_ycbcr', 'ycbcr_to_rgb']

# Rows give Y, Cb, Cr as linear combinations of R, G, B (all in [0, 1]).
_RGB2YCBCR = ((0.299, 0.587, 0.114), (-0.168736, -0.331264, 0.5),
              (0.5, -0.418688, -0.081312))
_YCBCR_OFFSET = (0.0, 0.5, 0.5)


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

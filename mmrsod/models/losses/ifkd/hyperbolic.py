# Copyright (c) mmrsod contributors. All rights reserved.
"""Poincare-ball operations and the hyperbolic similarity mask (HSM) of
IFKD (eqs. 9-11).

All functions treat ``dim`` (the channel axis of an FPN map, 1 by
default) as the vector axis, so a (B, C, H, W) map is B x H x W points of
the C-dimensional Poincare ball of curvature ``-c``.
"""
from typing import List, Optional

import torch
import torch.nn as nn
from mmdet.registry import MODELS
from torch import Tensor

from mmrsod.utils import ConfigError

__all__ = [
    'expmap0', 'project', 'mobius_add', 'poincare_distance',
    'hyperbolic_similarity_mask', 'HyperbolicSimilarityMask'
]

# Largest distance to the boundary kept by ``project`` (geoopt's choice).
_BALL_EPS = {torch.float32: 4e-3, torch.float64: 1e-5}
_MIN_NORM = 1e-15
_NORMALIZE_MODES = ('max', 'mean', 'none')


def _norm(x: Tensor, dim: int) -> Tensor:
    return x.norm(dim=dim, keepdim=True).clamp_min(_MIN_NORM)


def expmap0(x: Tensor, c: float = 1.0, dim: int = 1) -> Tensor:
    """Exponential map at the origin of the Poincare ball.

    ``exp_0(x) = tanh(sqrt(c) |x|) x / (sqrt(c) |x|)``.

    Args:
        x (Tensor): Tangent vectors, e.g. (B, C, H, W).
        c (float): Curvature magnitude (ball radius ``1 / sqrt(c)``).
        dim (int): Vector axis. Defaults to 1.

    Returns:
        Tensor: Points of the ball, same shape as ``x``.
    """
    sqrt_c = c**0.5
    norm = _norm(x, dim)
    return torch.tanh(sqrt_c * norm) * x / (sqrt_c * norm)


def project(x: Tensor,
            c: float = 1.0,
            eps: Optional[float] = None,
            dim: int = 1) -> Tensor:
    """Clip points into the ball: norms above ``(1 - eps) / sqrt(c)`` are
    scaled down to it.

    ``tanh`` rounds to 1 for large norms (about 9 in float32), which would
    put points on the boundary where ``artanh`` is infinite.

    Args:
        x (Tensor): Points, e.g. (B, C, H, W).
        c (float): Curvature magnitude.
        eps (float, optional): Margin to the boundary; None uses 4e-3 for
            float32 and 1e-5 for float64.
        dim (int): Vector axis. Defaults to 1.

    Returns:
        Tensor: Points with norm at most ``(1 - eps) / sqrt(c)``.
    """
    if eps is None:
        eps = _BALL_EPS.get(x.dtype, 4e-3)
    max_norm = (1 - eps) / c**0.5
    norm = _norm(x, dim)
    return torch.where(norm > max_norm, x / norm * max_norm, x)


def mobius_add(x: Tensor, y: Tensor, c: float = 1.0, dim: int = 1) -> Tensor:
    """Mobius addition ``x (+)_c y`` (eq. 9).

    ``((1 + 2c<x,y> + c|y|^2) x + (1 - c|x|^2) y) /
    (1 + 2c<x,y> + c^2 |x|^2 |y|^2)``.

    Args:
        x (Tensor): Points of the ball, e.g. (B, C, H, W).
        y (Tensor): Points of the ball, same shape as ``x``.
        c (float): Curvature magnitude.
        dim (int): Vector axis. Defaults to 1.

    Returns:
        Tensor: ``x (+)_c y``, same shape as ``x``.
    """
    xy = (x * y).sum(dim, keepdim=True)
    x2 = x.pow(2).sum(dim, keepdim=True)
    y2 = y.pow(2).sum(dim, keepdim=True)
    num = (1 + 2 * c * xy + c * y2) * x + (1 - c * x2) * y
    den = 1 + 2 * c * xy + c**2 * x2 * y2
    return num / den.clamp_min(_MIN_NORM)


def poincare_distance(x: Tensor,
                      y: Tensor,
                      c: float = 1.0,
                      dim: int = 1) -> Tensor:
    """Geodesic distance per location (eq. 10), over the vector axis.

    ``d_c(x, y) = 2 / sqrt(c) * artanh(sqrt(c) |(-x) (+)_c y|)``; the
    argument of ``artanh`` is clamped below 1 by 4 machine epsilons of the
    dtype (float64 keeps points near the boundary apart).

    Args:
        x (Tensor): Points of the ball, e.g. (B, C, H, W).
        y (Tensor): Points of the ball, same shape as ``x``.
        c (float): Curvature magnitude.
        dim (int): Vector axis. Defaults to 1.

    Returns:
        Tensor: Distances with ``dim`` kept as size 1, e.g. (B, 1, H, W).
    """
    sqrt_c = c**0.5
    arg = sqrt_c * mobius_add(-x, y, c, dim).norm(dim=dim, keepdim=True)
    arg = arg.clamp(max=1 - 4 * torch.finfo(arg.dtype).eps)
    return 2 / sqrt_c * torch.atanh(arg)


def _check_hsm_args(c: float, normalize: str) -> None:
    if not c > 0:
        raise ConfigError(f'hyperbolic similarity mask: c must be > 0, '
                          f'got {c!r}')
    if normalize not in _NORMALIZE_MODES:
        raise ConfigError(f'hyperbolic similarity mask: normalize must be '
                          f'one of {_NORMALIZE_MODES}, got {normalize!r}')


@torch.no_grad()
def hyperbolic_similarity_mask(f_s: Tensor,
                               f_t: Tensor,
                               c: float = 1.0,
                               normalize: str = 'max',
                               eps: float = 1e-12) -> Tensor:
    """HSM (eq. 11): per-location Poincare distance of student and teacher
    features, normalised per image and level, detached.

    Both maps go through ``project(expmap0(.))`` and the distance is taken
    over the channels at each (h, w). The computation runs in float64
    (points of raw FPN features land next to the boundary, where float32
    saturates ``artanh``); the result has the input dtype.

    Args:
        f_s (Tensor): Student features (adapted), (B, C, H, W).
        f_t (Tensor): Teacher features, (B, C, H, W).
        c (float): Curvature magnitude. Defaults to 1.0.
        normalize (str): ``'max'`` divides each image's map by its
            maximum (weights in [0, 1]), ``'mean'`` by its mean (mean
            weight 1), ``'none'`` keeps the distances. Defaults to 'max'.
        eps (float): Floor of the divisor. Defaults to 1e-12.

    Returns:
        Tensor: Mask (B, 1, H, W), no gradient.
    """
    _check_hsm_args(c, normalize)
    if f_s.shape != f_t.shape or f_s.dim() != 4:
        raise ValueError(f'hyperbolic_similarity_mask: student and teacher '
                         f'maps must both be (B, C, H, W), got '
                         f'{tuple(f_s.shape)} and {tuple(f_t.shape)}')
    x = project(expmap0(f_t.double(), c), c)
    y = project(expmap0(f_s.double(), c), c)
    dist = poincare_distance(x, y, c)
    if normalize == 'max':
        dist = dist / dist.amax((2, 3), keepdim=True).clamp_min(eps)
    elif normalize == 'mean':
        dist = dist / dist.mean((2, 3), keepdim=True).clamp_min(eps)
    return dist.to(f_s.dtype)


@MODELS.register_module()
class HyperbolicSimilarityMask(nn.Module):
    """Config-buildable HSM: one mask per FPN level.

    Args:
        c (float): Curvature magnitude. Defaults to 1.0.
        normalize (str): ``'max'``, ``'mean'`` or ``'none'`` (see
            :func:`hyperbolic_similarity_mask`). Defaults to 'max'.
    """

    def __init__(self, c: float = 1.0, normalize: str = 'max') -> None:
        super().__init__()
        _check_hsm_args(c, normalize)
        self.c = c
        self.normalize = normalize

    def forward(self, student_feats: List[Tensor],
                teacher_feats: List[Tensor]) -> List[Tensor]:
        """Masks per level.

        Args:
            student_feats (list[Tensor]): Adapted student maps, each
                (B, C, H_l, W_l).
            teacher_feats (list[Tensor]): Teacher maps, same shapes.

        Returns:
            list[Tensor]: Detached masks, each (B, 1, H_l, W_l).
        """
        if len(student_feats) != len(teacher_feats):
            raise ValueError(f'HyperbolicSimilarityMask: '
                             f'{len(student_feats)} student levels vs '
                             f'{len(teacher_feats)} teacher levels')
        return [
            hyperbolic_similarity_mask(s, t, self.c, self.normalize)
            for s, t in zip(student_feats, teacher_feats)
        ]

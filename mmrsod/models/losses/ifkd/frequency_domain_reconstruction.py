# Copyright (c) mmrsod contributors. All rights reserved.
"""Frequency domain reconstruction (FDR) of IFKD (eqs. 3-8, Alg. 1)."""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmdet.registry import MODELS
from torch import Tensor

from mmrsod.utils import ConfigError

__all__ = ['FrequencyDomainReconstruction', 'low_freq_mask', 'filter_grid']

_FILTER_NORMS = ('mean', 'none')


def low_freq_mask(height: int,
                  width: int,
                  ratio: float,
                  device: Optional[torch.device] = None) -> Tensor:
    """Centred square low-pass mask ``M_Binary`` of eq. 4.

    On the fftshift-ed spectrum (zero frequency at ``(H // 2, W // 2)``)
    a bin is low when ``max(|u - H//2|, |v - W//2|) <= r * min(H, W) / 2``.
    The zero frequency is always low (also for ``r = 0``).

    Args:
        height (int): H.
        width (int): W.
        ratio (float): r in [0, 1].
        device (torch.device, optional): Device of the mask.

    Returns:
        Tensor: (H, W) float mask of 0 and 1.
    """
    u = torch.arange(height, device=device) - height // 2
    v = torch.arange(width, device=device) - width // 2
    cheb = torch.maximum(u.abs()[:, None], v.abs()[None, :])
    return (cheb <= ratio * min(height, width) / 2).float()


def filter_grid(height: int,
                width: int,
                device: Optional[torch.device] = None) -> Tensor:
    """``grid_sample`` coordinates of the centred spectrum bins.

    The shifted bin ``k`` of an axis of length ``n`` has the normalised
    frequency ``f = (k - n // 2) / n`` in [-0.5, 0.5); the filter's nodes
    span [-0.5, 0.5] (``align_corners=True``), so the coordinate is
    ``2 f``.

    Args:
        height (int): H.
        width (int): W.
        device (torch.device, optional): Device of the grid.

    Returns:
        Tensor: (1, H, W, 2) grid, last axis (x = width, y = height).
    """
    fu = (torch.arange(height, device=device) - height // 2) / height
    fv = (torch.arange(width, device=device) - width // 2) / width
    gy, gx = torch.meshgrid(2 * fu, 2 * fv, indexing='ij')
    return torch.stack((gx, gy), dim=-1)[None]


@MODELS.register_module()
class FrequencyDomainReconstruction(nn.Module):
    """IFKD's FDR ``phi_FDR`` (eqs. 3-8, Alg. 1), one filter per level.

    For each level map ``f`` (B, C, H, W) and FRS mask ``m`` (B, 1, H, W):

    1. ``S = fftshift(fft2(f))`` over (H, W), per channel (eq. 3);
    2. ``S_l = M S``, ``S_h = (1 - M) S`` with the low-pass mask of
       ratio r (eqs. 4-6);
    3. ``f_l = Re(ifft2(ifftshift(S_l)))`` (eq. 7), ``f_l' = f_l * m``;
    4. ``S_l' = fftshift(fft2(f_l'))`` (no second low-pass);
    5. ``S' = (S_h + S_l') * W_filter`` (eq. 8);
    6. ``out = Re(ifft2(ifftshift(S')))``.

    ``W_filter`` is real, per channel, stored on a ``filter_size`` grid
    of normalised frequencies [-0.5, 0.5]^2 and bilinearly resampled to
    each (H, W) (:func:`filter_grid`), so one filter serves any map size.
    A filter that is not symmetric under ``k -> -k`` breaks the spectrum's
    Hermitian symmetry; taking the real part of the inverse transform is
    then the same as filtering with the symmetrised filter.
    With ``m = 1`` and ``W = 1`` the module is the identity for every r.

    Trivial solution: when the loss is ``|adapt(F_s) - FDR(F_t)|^2`` (or
    both sides are filtered), a free filter can shrink to 0 together with
    the adapter. ``filter_norm='mean'`` divides each channel's resampled
    filter by its mean absolute value, so the average gain stays 1 and
    only its distribution over frequencies is learned; ``'none'`` keeps
    the raw filter.

    Args:
        num_levels (int): FPN levels. Defaults to 5.
        channels (int): Channels of every level. Defaults to 256.
        low_freq_ratio (float): r used when no range is set, and at eval
            time. Defaults to 0.1.
        ratio_range (Sequence[float], optional): ``(r_min, r_max)``: in
            training one r per call is drawn uniformly (the paper's
            "mostly random"). None keeps r fixed. Defaults to None.
        filter_size (tuple[int, int]): Filter grid (rows, cols).
            Defaults to (16, 16).
        filter_norm (str): ``'mean'`` or ``'none'``. Defaults to 'mean'.
        eps (float): Floor of the filter normaliser. Defaults to 1e-6.
    """

    def __init__(self,
                 num_levels: int = 5,
                 channels: int = 256,
                 low_freq_ratio: float = 0.1,
                 ratio_range: Optional[Sequence[float]] = None,
                 filter_size: Tuple[int, int] = (16, 16),
                 filter_norm: str = 'mean',
                 eps: float = 1e-6) -> None:
        super().__init__()
        name = type(self).__name__
        if not 0 <= low_freq_ratio <= 1:
            raise ConfigError(f'{name}: low_freq_ratio must be in [0, 1], '
                              f'got {low_freq_ratio!r}')
        if ratio_range is not None:
            if (len(ratio_range) != 2
                    or not 0 <= ratio_range[0] <= ratio_range[1] <= 1):
                raise ConfigError(f'{name}: ratio_range must be (r_min, '
                                  f'r_max) with 0 <= r_min <= r_max <= 1, '
                                  f'got {ratio_range!r}')
            ratio_range = (float(ratio_range[0]), float(ratio_range[1]))
        if len(filter_size) != 2 or min(filter_size) < 1:
            raise ConfigError(f'{name}: filter_size must be two positive '
                              f'ints, got {filter_size!r}')
        if filter_norm not in _FILTER_NORMS:
            raise ConfigError(f'{name}: filter_norm must be one of '
                              f'{_FILTER_NORMS}, got {filter_norm!r}')
        if num_levels < 1 or channels < 1:
            raise ConfigError(f'{name}: num_levels and channels must be '
                              f'>= 1, got {num_levels}, {channels}')
        self.num_levels = num_levels
        self.channels = channels
        self.low_freq_ratio = float(low_freq_ratio)
        self.ratio_range = ratio_range
        self.filter_norm = filter_norm
        self.eps = eps
        self.filters = nn.ParameterList([
            nn.Parameter(torch.ones(channels, *filter_size))
            for _ in range(num_levels)
        ])

    def sample_ratio(self) -> float:
        """The r of this call: drawn from ``ratio_range`` in training,
        ``low_freq_ratio`` otherwise.

        Returns:
            float: r.
        """
        if self.ratio_range is None or not self.training:
            return self.low_freq_ratio
        r_min, r_max = self.ratio_range
        return r_min + (r_max - r_min) * torch.rand(()).item()

    def spectral_filter(self, level: int, height: int, width: int) -> Tensor:
        """The level's filter on the centred (H, W) spectrum.

        Args:
            level (int): FPN level index.
            height (int): H.
            width (int): W.

        Returns:
            Tensor: (C, H, W) real filter (normalised per ``filter_norm``).
        """
        weight = self.filters[level]
        grid = filter_grid(height, width, weight.device).to(weight.dtype)
        filt = F.grid_sample(
            weight[None], grid, mode='bilinear', align_corners=True)[0]
        if self.filter_norm == 'mean':
            scale = filt.abs().mean((1, 2), keepdim=True).clamp_min(self.eps)
            filt = filt / scale
        return filt

    def forward_single(self, feat: Tensor, mask: Tensor, level: int,
                       ratio: float) -> Tensor:
        """FDR of one level.

        Args:
            feat (Tensor): (B, C, H, W) features (float16/bfloat16 are
                computed in float32).
            mask (Tensor): (B, 1, H, W) FRS mask.
            level (int): FPN level index (selects the filter).
            ratio (float): Low-pass ratio r.

        Returns:
            Tensor: (B, C, H, W) reconstructed features.
        """
        b, c, h, w = feat.shape
        if c != self.channels:
            raise ValueError(f'{type(self).__name__}: level {level} has {c} '
                             f'channels, expected {self.channels}')
        if mask.shape != (b, 1, h, w):
            raise ValueError(f'{type(self).__name__}: level {level} mask '
                             f'must be {(b, 1, h, w)}, got '
                             f'{tuple(mask.shape)}')
        out_dtype = feat.dtype
        if out_dtype in (torch.float16, torch.bfloat16):
            # half-precision FFTs need power-of-2 sizes (CUDA) or do not
            # exist (CPU): compute in float32, return the input dtype
            feat, mask = feat.float(), mask.float()
        dims = (-2, -1)
        spec = torch.fft.fftshift(torch.fft.fft2(feat, dim=dims), dim=dims)
        low = low_freq_mask(h, w, ratio, feat.device).to(feat.dtype)
        spec_low = spec * low
        spec_high = spec - spec_low
        feat_low = torch.fft.ifft2(
            torch.fft.ifftshift(spec_low, dim=dims), dim=dims).real
        spec_low = torch.fft.fftshift(
            torch.fft.fft2(feat_low * mask, dim=dims), dim=dims)
        filt = self.spectral_filter(level, h, w).to(feat.dtype)
        spec = (spec_high + spec_low) * filt
        out = torch.fft.ifft2(torch.fft.ifftshift(spec, dim=dims), dim=dims)
        return out.real.to(out_dtype)

    def forward(self,
                feats: List[Tensor],
                masks: List[Tensor],
                ratio: Optional[float] = None) -> List[Tensor]:
        """FDR of every level.

        Args:
            feats (list[Tensor]): Features per level, each (B, C, H_l, W_l)
                (square or not).
            masks (list[Tensor]): FRS masks per level, each (B, 1, H_l, W_l)
                (see :func:`frs_richness_mask`).
            ratio (float, optional): r for this call; None draws it with
                :meth:`sample_ratio`. Pass the same r when both teacher and
                student are filtered.

        Returns:
            list[Tensor]: Reconstructed features, shapes as ``feats``.
        """
        if len(feats) != self.num_levels or len(masks) != self.num_levels:
            raise ValueError(f'{type(self).__name__}: expected '
                             f'{self.num_levels} levels, got {len(feats)} '
                             f'feature maps and {len(masks)} masks')
        if ratio is None:
            ratio = self.sample_ratio()
        return [
            self.forward_single(f, m, i, ratio)
            for i, (f, m) in enumerate(zip(feats, masks))
        ]

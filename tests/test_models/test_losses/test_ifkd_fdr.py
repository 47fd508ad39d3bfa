# Copyright (c) mmrsod contributors. All rights reserved.
"""IFKD FDR (eqs. 3-8) and the FRS mask against hand/numpy computations."""
import math

import numpy as np
import pytest
import torch
from mmdet.registry import MODELS
from mmengine.registry import DefaultScope

from mmrsod.models.losses.ifkd import (FrequencyDomainReconstruction,
                                       frs_richness_mask, low_freq_mask)
from mmrsod.utils import ConfigError


def _numpy_fdr(f, m, r, filt):
    """Alg. 1 in numpy on the *unshifted* spectrum: the centred index
    ``u - H//2`` of eq. 4 is the signed frequency ``fftfreq(H) * H``.

    f (C, H, W), m (H, W), filt (C, H, W) on the unshifted bins."""
    _, h, w = f.shape
    su = np.rint(np.fft.fftfreq(h) * h)
    sv = np.rint(np.fft.fftfreq(w) * w)
    low = np.zeros((h, w))
    for i in range(h):
        for j in range(w):
            if max(abs(su[i]), abs(sv[j])) <= r * min(h, w) / 2:
                low[i, j] = 1
    spec = np.fft.fft2(f)  # over the last two axes (H, W)
    f_low = np.fft.ifft2(spec * low).real
    spec_new = spec * (1 - low) + np.fft.fft2(f_low * m)
    return np.fft.ifft2(spec_new * filt).real


def _unshifted_freqs(n):
    return np.fft.fftfreq(n)  # k / n in [-0.5, 0.5)


def _build(num_levels=1, channels=2, **kwargs):
    return FrequencyDomainReconstruction(
        num_levels=num_levels, channels=channels, **kwargs)


@pytest.mark.parametrize('hw', [(4, 4), (4, 6), (5, 3)])
@pytest.mark.parametrize('r', [0.0, 0.5, 1.0])
def test_fdr_matches_numpy_pipeline(hw, r):
    h, w = hw
    gen = torch.Generator().manual_seed(h * 10 + w)
    feat = torch.randn(2, 2, h, w, generator=gen, dtype=torch.float64)
    mask = torch.rand(2, 1, h, w, generator=gen, dtype=torch.float64)
    fdr = _build(
        low_freq_ratio=r, filter_size=(3, 5), filter_norm='none').double()
    # a filter linear in the normalised frequencies: bilinear resampling
    # reproduces it exactly, W(c, fu, fv) = 1 + 0.5 c + 0.3 fu - 0.7 fv
    nodes_u = torch.linspace(-0.5, 0.5, 3, dtype=torch.float64)
    nodes_v = torch.linspace(-0.5, 0.5, 5, dtype=torch.float64)
    with torch.no_grad():
        for c in range(2):
            fdr.filters[0][c] = (1 + 0.5 * c + 0.3 * nodes_u[:, None] -
                                 0.7 * nodes_v[None, :])
    out = fdr([feat], [mask])[0].detach()
    fu, fv = _unshifted_freqs(h), _unshifted_freqs(w)
    filt = np.stack([
        1 + 0.5 * c + 0.3 * fu[:, None] - 0.7 * fv[None, :] for c in range(2)
    ])
    for b in range(2):
        ref = _numpy_fdr(feat[b].numpy(), mask[b, 0].numpy(), r, filt)
        np.testing.assert_allclose(out[b].numpy(), ref, atol=1e-10)


@pytest.mark.parametrize('hw', [(4, 4), (4, 6)])
def test_fdr_hand_cases(hw):
    h, w = hw
    gen = torch.Generator().manual_seed(1)
    feat = torch.randn(1, 2, h, w, generator=gen)
    mask = torch.rand(1, 1, h, w, generator=gen)
    # r = 0: the low band is the zero frequency only, so f_l is the
    # channel mean and out = f - mean + mean * m
    mean = feat.mean((2, 3), keepdim=True)
    out = _build(low_freq_ratio=0.0)([feat], [mask])[0]
    torch.testing.assert_close(out, feat + mean * (mask - 1))
    # r = 1: every bin is low on a square map, out = f * m; on 4 x 6 the
    # half side r * min(H, W) / 2 = 2 leaves the column v - 3 = -3 high
    out = _build(low_freq_ratio=1.0)([feat], [mask])[0]
    if h == w:
        torch.testing.assert_close(out, feat * mask)
    else:
        spec = torch.fft.fft2(feat)
        high = torch.zeros_like(spec)
        high[..., 3] = spec[..., 3]  # unshifted bin 3 = frequency -3
        f_high = torch.fft.ifft2(high).real
        torch.testing.assert_close(out, (feat - f_high) * mask + f_high)
    # constant map: only the zero frequency, out = f * m for any r
    const = torch.full((1, 2, h, w), 3.0)
    out = _build(low_freq_ratio=0.1)([const], [mask])[0]
    torch.testing.assert_close(out, const * mask)


@pytest.mark.parametrize('r', [0.0, 0.1, 0.5, 1.0])
def test_fdr_identity_with_unit_mask_and_filter(r):
    feats = [torch.randn(2, 3, 8, 8), torch.randn(2, 3, 4, 6)]
    masks = [torch.ones(2, 1, 8, 8), torch.ones(2, 1, 4, 6)]
    fdr = _build(num_levels=2, channels=3, low_freq_ratio=r)
    for out, feat in zip(fdr(feats, masks), feats):
        assert out.shape == feat.shape and out.dtype == feat.dtype
        torch.testing.assert_close(out, feat, atol=1e-5, rtol=0)


def test_fdr_half_precision_input():
    feat = torch.randn(1, 2, 4, 6)
    mask = torch.rand(1, 1, 4, 6)
    fdr = _build(low_freq_ratio=0.5)
    out = fdr([feat.bfloat16()], [mask.bfloat16()])[0]
    assert out.dtype == torch.bfloat16
    ref = fdr([feat.bfloat16().float()], [mask.bfloat16().float()])[0]
    torch.testing.assert_close(out.float(), ref, atol=2e-2, rtol=1e-2)


def test_low_freq_mask_eq4_by_hand():
    # 4 x 6, r = 0.5: half side 0.5 * 4 / 2 = 1 around (2, 3)
    expected = torch.zeros(4, 6)
    expected[1:4, 2:5] = 1
    torch.testing.assert_close(low_freq_mask(4, 6, 0.5), expected)
    # r = 0 keeps the centre bin only
    assert low_freq_mask(5, 3, 0.0).nonzero().tolist() == [[2, 1]]


def test_filter_norm_guards_trivial_solution():
    feat = torch.randn(1, 2, 4, 6)
    mask = torch.rand(1, 1, 4, 6)
    outs = {}
    for norm in ('mean', 'none'):
        fdr = _build(filter_norm=norm, low_freq_ratio=0.5)
        ref = fdr([feat], [mask])[0]
        with torch.no_grad():
            fdr.filters[0].mul_(0.01)
        outs[norm] = (ref, fdr([feat], [mask])[0])
    # mean-normalised: scaling W changes nothing; raw: the output shrinks
    torch.testing.assert_close(outs['mean'][1], outs['mean'][0])
    torch.testing.assert_close(outs['none'][1], 0.01 * outs['none'][0])
    # the normalised filter has mean |W| = 1 per channel at any size
    fdr = _build(filter_size=(4, 4))
    with torch.no_grad():
        fdr.filters[0].uniform_(0.1, 3.0)
    filt = fdr.spectral_filter(0, 5, 7)
    assert filt.shape == (2, 5, 7)
    torch.testing.assert_close(filt.abs().mean((1, 2)), torch.ones(2))


def test_fdr_gradients_reach_filter_and_input():
    fdr = _build(num_levels=2)
    feats = [
        torch.randn(1, 2, 6, 6, requires_grad=True),
        torch.randn(1, 2, 3, 5, requires_grad=True)
    ]
    masks = [torch.rand(1, 1, 6, 6), torch.rand(1, 1, 3, 5)]
    target = [torch.randn_like(f) for f in feats]
    loss = sum(((o - t)**2).sum() for o, t in zip(fdr(feats, masks), target))
    loss.backward()
    for p in list(fdr.filters) + feats:
        assert p.grad is not None and p.grad.abs().sum() > 0


def test_ratio_range_sampling():
    fdr = _build(low_freq_ratio=0.1, ratio_range=(0.2, 0.6))
    fdr.train()
    torch.manual_seed(3)
    expected = 0.2 + 0.4 * torch.rand(()).item()
    torch.manual_seed(3)
    assert fdr.sample_ratio() == pytest.approx(expected)
    assert 0.2 <= expected <= 0.6
    fdr.eval()
    assert fdr.sample_ratio() == 0.1
    assert _build(low_freq_ratio=0.3).train().sample_ratio() == 0.3
    # an explicit ratio (shared by teacher and student) is used as given
    feat, mask = torch.randn(1, 2, 4, 4), torch.rand(1, 1, 4, 4)
    fdr.train()
    torch.testing.assert_close(fdr([feat], [mask], ratio=1.0)[0], feat * mask)


def test_bad_config_and_inputs():
    with pytest.raises(ConfigError, match='low_freq_ratio'):
        _build(low_freq_ratio=1.5)
    with pytest.raises(ConfigError, match='ratio_range'):
        _build(ratio_range=(0.5, 0.2))
    with pytest.raises(ConfigError, match='filter_norm'):
        _build(filter_norm='l2')
    fdr = _build()
    with pytest.raises(ValueError, match='mask must be'):
        fdr([torch.randn(1, 2, 4, 4)], [torch.rand(1, 1, 4, 5)])
    with pytest.raises(ValueError, match='expected 1 levels'):
        fdr([torch.randn(1, 2, 4, 4)] * 2, [torch.rand(1, 1, 4, 4)] * 2)
    with pytest.raises(ValueError, match='3 channels, expected 2'):
        fdr([torch.randn(1, 3, 4, 4)], [torch.rand(1, 1, 4, 4)])


def test_registry_build():
    with DefaultScope.overwrite_default_scope('mmdet'):
        fdr = MODELS.build(
            dict(
                type='FrequencyDomainReconstruction',
                num_levels=5,
                channels=256))
    assert len(fdr.filters) == 5
    assert fdr.filters[0].shape == (256, 16, 16)
    assert torch.equal(fdr.filters[4], torch.ones(256, 16, 16))


def test_frs_richness_mask_by_hand():
    logit = math.log(3)  # sigmoid = 0.75
    score = torch.zeros(1, 3, 2, 2)  # sigmoid = 0.5
    score[0, 1, 0, 0] = logit
    score[0, 2, 1, 1] = -logit  # 0.25 < 0.5: the max stays 0.5
    score.requires_grad_(True)
    masks = frs_richness_mask([score, torch.zeros(2, 9, 1, 3)])
    expected = torch.tensor([[[[0.75, 0.5], [0.5, 0.5]]]])
    torch.testing.assert_close(masks[0], expected)
    assert masks[1].shape == (2, 1, 1, 3)
    assert not masks[0].requires_grad

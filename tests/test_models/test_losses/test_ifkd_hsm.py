# Copyright (c) mmrsod contributors. All rights reserved.
"""IFKD HSM (eqs. 9-11) against the closed-form Poincare distance."""
import math

import numpy as np
import pytest
import torch
from mmdet.registry import MODELS
from mmengine.registry import DefaultScope

from mmrsod.models.losses.ifkd import (expmap0, hyperbolic_similarity_mask,
                                       mobius_add, poincare_distance, project)
from mmrsod.utils import ConfigError


def _arccosh_distance(x, y, c):
    """Closed form d_c = arccosh(1 + 2c|x-y|^2 / ((1-c|x|^2)(1-c|y|^2)))
    / sqrt(c), per location over axis 1 (numpy)."""
    diff = ((x - y)**2).sum(1)
    den = (1 - c * (x**2).sum(1)) * (1 - c * (y**2).sum(1))
    return np.arccosh(1 + 2 * c * diff / den) / math.sqrt(c)


def _random_ball_points(shape, c, max_radius, seed):
    gen = torch.Generator().manual_seed(seed)
    v = torch.randn(*shape, generator=gen, dtype=torch.float64)
    radius = torch.rand(
        shape[0], 1, *shape[2:], generator=gen,
        dtype=torch.float64) * max_radius / math.sqrt(c)
    return v / v.norm(dim=1, keepdim=True) * radius


@pytest.mark.parametrize('c', [1.0, 0.5, 2.0])
def test_poincare_distance_matches_arccosh_form(c):
    x = _random_ball_points((2, 5, 3, 4), c, 0.9, seed=0)
    y = _random_ball_points((2, 5, 3, 4), c, 0.9, seed=1)
    dist = poincare_distance(x, y, c)
    assert dist.shape == (2, 1, 3, 4)
    np.testing.assert_allclose(
        dist[:, 0].numpy(),
        _arccosh_distance(x.numpy(), y.numpy(), c),
        rtol=1e-9)
    # float32 agrees to single precision
    np.testing.assert_allclose(
        poincare_distance(x.float(), y.float(), c)[:, 0].numpy(),
        _arccosh_distance(x.numpy(), y.numpy(), c),
        rtol=1e-4)
    # metric properties: symmetric, zero on the diagonal
    torch.testing.assert_close(dist, poincare_distance(y, x, c))
    assert poincare_distance(x, x, c).abs().max() < 1e-7


def test_mobius_add_by_hand():
    # 1-D ball, c = 1: x (+) y = (x + y) / (1 + x y)
    x = torch.tensor([[0.5], [-0.3]], dtype=torch.float64)
    y = torch.tensor([[0.25], [0.6]], dtype=torch.float64)
    expected = (x + y) / (1 + x * y)
    torch.testing.assert_close(mobius_add(x, y, 1.0), expected)
    # identities in 3-D: 0 is neutral, -x is the inverse
    v = _random_ball_points((4, 3), 1.0, 0.9, seed=2)
    zero = torch.zeros_like(v)
    torch.testing.assert_close(mobius_add(v, zero), v)
    torch.testing.assert_close(mobius_add(zero, v), v)
    torch.testing.assert_close(mobius_add(-v, v), zero)


def test_expmap0_and_project_by_hand():
    x = torch.tensor([[3.0], [4.0]])[None]  # (1, 2, 1): norm 5
    torch.testing.assert_close(
        expmap0(x, 1.0),
        torch.tensor([[0.6], [0.8]])[None] * math.tanh(5.0))
    # c = 4: tanh(2 * 5) * x / (2 * 5)
    torch.testing.assert_close(expmap0(x, 4.0), x * math.tanh(10.0) / 10.0)
    # project: norm 2 -> (1 - eps); points inside are kept
    far = torch.tensor([[[2.0]], [[0.0]]]).permute(1, 0, 2)  # (1, 2, 1)
    out = project(far, 1.0, eps=1e-3)
    torch.testing.assert_close(out.norm(dim=1), torch.tensor([[0.999]]))
    near = torch.tensor([[[0.3]], [[0.4]]]).permute(1, 0, 2)
    torch.testing.assert_close(project(near, 1.0, eps=1e-3), near)
    # c = 4: radius 1 / 2
    torch.testing.assert_close(
        project(far, 4.0, eps=1e-3).norm(dim=1), torch.tensor([[0.4995]]))
    # the dtype default margins (float32 4e-3, float64 1e-5)
    assert project(far, 1.0).norm().item() == pytest.approx(0.996)
    assert project(far.double(), 1.0).norm().item() == pytest.approx(
        1 - 1e-5, abs=1e-12)


@pytest.mark.parametrize('normalize', ['max', 'mean', 'none'])
def test_mask_against_closed_form(normalize):
    gen = torch.Generator().manual_seed(5)
    f_t = torch.randn(2, 8, 3, 5, generator=gen)
    f_s = f_t + 0.5 * torch.randn(2, 8, 3, 5, generator=gen)
    f_s.requires_grad_(True)
    mask = hyperbolic_similarity_mask(f_s, f_t, c=1.0, normalize=normalize)
    assert mask.shape == (2, 1, 3, 5) and mask.dtype == torch.float32
    assert not mask.requires_grad

    def ball(f):  # tanh(|f|) f / |f| in numpy; |f| ~ 3 stays inside
        f = f.detach().double().numpy()
        n = np.linalg.norm(f, axis=1, keepdims=True)
        return np.tanh(n) * f / n

    dist = _arccosh_distance(ball(f_t), ball(f_s), 1.0)[:, None]
    if normalize == 'max':
        dist = dist / dist.max(axis=(2, 3), keepdims=True)
    elif normalize == 'mean':
        dist = dist / dist.mean(axis=(2, 3), keepdims=True)
    np.testing.assert_allclose(mask.numpy(), dist, rtol=1e-5)


def test_raw_fpn_magnitudes_do_not_saturate():
    """Norm-100 features map next to the boundary: in float32 without
    projection artanh saturates; the mask must still rank locations by
    the angle between teacher and student."""
    gen = torch.Generator().manual_seed(7)
    f_t = torch.randn(1, 256, 1, 4, generator=gen)
    f_t = 100 * f_t / f_t.norm(dim=1, keepdim=True)
    noise = torch.randn(1, 256, 1, 4, generator=gen)
    noise = noise - (noise * f_t).sum(1, keepdim=True) / 1e4 * f_t
    noise = noise / noise.norm(dim=1, keepdim=True)
    # rotate each location by a growing angle, keeping the norm 100
    angles = torch.tensor([0.05, 0.2, 0.6, 1.2]).view(1, 1, 1, 4)
    f_s = torch.cos(angles) * f_t + torch.sin(angles) * 100 * noise
    mask = hyperbolic_similarity_mask(f_s, f_t, normalize='none')[0, 0, 0]
    assert torch.isfinite(mask).all()
    assert (mask.diff() > 0.5).all()  # strictly increasing with the angle
    # the float32 path without projection is constant (saturated)
    x32 = expmap0(f_t, 1.0)
    y32 = expmap0(f_s, 1.0)
    naive = poincare_distance(x32, y32)[0, 0, 0]
    assert torch.unique(naive).numel() == 1


def test_module_masks_per_level():
    sizes = [(16, 20), (8, 10), (4, 5), (2, 3), (1, 2)]
    stu = [torch.randn(2, 4, h, w) for h, w in sizes]
    tea = [torch.randn(2, 4, h, w) for h, w in sizes]
    with DefaultScope.overwrite_default_scope('mmdet'):
        hsm = MODELS.build(
            dict(type='HyperbolicSimilarityMask', c=1.0, normalize='max'))
    masks = hsm(stu, tea)
    assert [tuple(m.shape) for m in masks] == [(2, 1, h, w) for h, w in sizes]
    for m in masks:
        torch.testing.assert_close(m.amax((2, 3)), torch.ones(2, 1))
    with pytest.raises(ConfigError, match='normalize'):
        MODELS.get('HyperbolicSimilarityMask')(normalize='sum')
    with pytest.raises(ConfigError, match='c must be > 0'):
        hyperbolic_similarity_mask(stu[0], tea[0], c=0.0)
    with pytest.raises(ValueError, match='must both be'):
        hyperbolic_similarity_mask(stu[0], tea[1])

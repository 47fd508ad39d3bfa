# Copyright (c) mmrsod contributors. All rights reserved.
import numpy as np
import pytest

from mmrsod.evaluation.functional import global_ssim


def test_global_ssim_matches_eq22_with_zero_constants():
    rng = np.random.default_rng(1)
    x = rng.random((9, 7))
    y = rng.random((9, 7)) > 0.5
    yf = y.astype(np.float64)
    mx, my = x.mean(), yf.mean()
    vx, vy = x.var(ddof=1), yf.var(ddof=1)
    cxy = ((x - mx) * (yf - my)).sum() / (x.size - 1)
    expected = (2 * mx * my) * (2 * cxy) / ((mx**2 + my**2) * (vx + vy))
    assert global_ssim(x, y) == pytest.approx(expected, rel=1e-12)


def test_global_ssim_special_cases():
    gt = np.array([[0, 1], [0, 1]], bool)
    assert global_ssim(gt.astype(float), gt) == pytest.approx(1.0)
    # both constant zero: numerator and denominator zero -> 1
    assert global_ssim(np.zeros((3, 3)), np.zeros((3, 3), bool)) == 1.0
    # constant prediction vs structured GT: zero covariance -> 0
    assert global_ssim(np.full((2, 2), 0.5), gt) == 0.0
    assert global_ssim(np.zeros((0, 3)), np.zeros((0, 3))) == 0.0
    with pytest.raises(ValueError, match='shape'):
        global_ssim(np.zeros((2, 2)), np.zeros((2, 3)))

# Copyright (c) mmrsod contributors. All rights reserved.
"""Global SSIM with ``C1 = C2 = 0`` (SRAL paper, eq. 22).

The SRAL paper (TGRS 2023, Table II) and its predecessor HFANet report the
"SSIM" of every ORSI-4199 scene attribute with ``C1 = C2 = 0``. The authors'
evaluator computes this SSIM **globally** over the whole map (one mean, one
variance and one covariance per map, no sliding window), with unbiased
(``N - 1``) variances, exactly like the region term of their S-measure. This
module implements that definition:

.. math::

    SSIM(x, y) = \\frac{4 \\mu_x \\mu_y \\sigma_{xy}}
                      {(\\mu_x^2 + \\mu_y^2)(\\sigma_x^2 + \\sigma_y^2)}

with the authors' conventions for the degenerate cases: if the numerator is
zero the score is 1 when the denominator is zero too (e.g. two constant
equal-mean maps, or an all-zero prediction on an all-zero block) and 0
otherwise.
"""
import numpy as np

#: Small constant the authors add to denominators.
_EPS = 1e-20


def global_ssim(pred: np.ndarray, gt: np.ndarray) -> float:
    """Global SSIM of two maps with ``C1 = C2 = 0``.

    Args:
        pred (np.ndarray): Prediction, shape (H, W), values in [0, 1].
        gt (np.ndarray): Ground truth, shape (H, W), bool or values in
            [0, 1].

    Returns:
        float: The score; 0.0 for an empty block (H * W == 0).
    """
    if pred.shape != gt.shape:
        raise ValueError(f'global_ssim: shape mismatch, pred {pred.shape} '
                         f'vs gt {gt.shape}')
    n = pred.size
    if n == 0:
        return 0.0
    x = pred.astype(np.float64, copy=False)
    y = gt.astype(np.float64, copy=False)
    mu_x = x.mean()
    mu_y = y.mean()
    dx = x - mu_x
    dy = y - mu_y
    denom_n = n - 1 + _EPS
    var_x = float((dx * dx).sum() / denom_n)
    var_y = float((dy * dy).sum() / denom_n)
    cov_xy = float((dx * dy).sum() / denom_n)
    alpha = 4.0 * mu_x * mu_y * cov_xy
    beta = (mu_x * mu_x + mu_y * mu_y) * (var_x + var_y)
    if alpha != 0:
        return float(alpha / (beta + _EPS))
    if beta == 0:
        return 1.0
    return 0.0


__all__ = ['global_ssim']

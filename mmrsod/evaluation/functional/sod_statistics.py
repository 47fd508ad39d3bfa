# Copyright (c) mmrsod contributors. All rights reserved.
"""Per-image saliency statistics and their dataset-level aggregation.

This is the single implementation of the default evaluation protocol, used
by :class:`mmrsod.evaluation.SODMetric` and by
``tools/analysis_tools/eval_saliency.py``. Everything is computed by
`PySODMetrics <https://github.com/lartpang/PySODMetrics>`_ (``py_sod_metrics``)
on 8-bit maps, exactly as its accumulators do:

* the prediction is brought to the GT resolution (bilinear) if needed and
  quantised to uint8 (``round(255 * p)``);
* the GT is a binary mask (stored as 0/255);
* ``py_sod_metrics.utils.prepare_data`` min-max normalises the prediction per
  image (MATLAB ``mapminmax``), as every SOD toolbox does.

Per image we keep the S-measure (alpha 0.5), weighted F-measure, MAE, the
adaptive F-measure (beta^2 0.3) and E-measure, the 256-threshold F, E,
precision and recall curves, and the global ``C1 = C2 = 0`` SSIM used for the
attribute analysis. :func:`aggregate_sod_statistics` then reduces a list of
these records the way the toolboxes do: ``max``/``mean`` are the maximum and
mean over thresholds of the **dataset-mean curve** and ``adp`` is the mean of
the per-image adaptive scores. Keeping per-image records (instead of running
totals) is what makes the metric correct under distributed evaluation: the
records of all ranks are gathered first and reduced once.

Images whose GT is empty (EORSSD's test split has 18 of 600, ORSSD's 4 of
200) score F = 0 at every threshold and wF = 0 whatever the prediction
(PySODMetrics convention, also used by PySODEvalToolkit), so even a perfect
prediction gets maxF = 0.97 on EORSSD-test; MAE, S-measure and E-measure
handle empty GT normally.

Curves are stored as ``py_sod_metrics`` returns them: index ``i`` is the
threshold ``255 - i`` (pixels ``>= 255 - i`` are foreground).
"""
from typing import Dict, List, Sequence, Union

import cv2
import numpy as np
from py_sod_metrics import (MAE, Emeasure, FmeasureHandler, FmeasureV2,
                            PrecisionHandler, RecallHandler, Smeasure,
                            WeightedFmeasure)
from py_sod_metrics.utils import TYPE, prepare_data

from .structural_similarity import global_ssim

#: The metric names, in the order they are reported.
SOD_METRIC_KEYS = ('Sm', 'maxF', 'meanF', 'adpF', 'maxE', 'meanE', 'adpE',
                   'wF', 'MAE')

#: F-measure beta^2 used by all SOD/RSI-SOD papers (Achanta et al. 2009).
FMEASURE_BETA2 = 0.3

#: Weighted F-measure beta^2: Margolin et al. (CVPR 2014) define
#: F^w_beta with beta = 1 and the SOD/COD toolboxes (Fan et al.'s MATLAB
#: code, PySODEvalToolkit, RSI-SOD papers that report F^w_beta) all use that
#: default; note that ``py_sod_metrics.WeightedFmeasure(beta)`` takes beta^2.
WEIGHTED_FMEASURE_BETA2 = 1.0

_CURVE_KEYS = ('f_curve', 'e_curve', 'p_curve', 'r_curve')
_SCALAR_KEYS = ('sm', 'wf', 'mae', 'adp_f', 'adp_e', 'ssim')


def resize_prediction(pred: np.ndarray, shape: Sequence[int]) -> np.ndarray:
    """Resize a float saliency map bilinearly to ``shape``.

    Args:
        pred (np.ndarray): Map of shape (h, w), float, values in [0, 1].
        shape (Sequence[int]): Target (H, W).

    Returns:
        np.ndarray: float32 map of shape (H, W), clipped to [0, 1].
    """
    height, width = int(shape[0]), int(shape[1])
    if tuple(pred.shape) == (height, width):
        return pred
    resized = cv2.resize(
        pred.astype(np.float32), (width, height),
        interpolation=cv2.INTER_LINEAR)
    return np.clip(resized, 0.0, 1.0)


def quantize_prediction(pred: np.ndarray) -> np.ndarray:
    """Quantise a [0, 1] map to uint8 with rounding (what is saved as PNG).

    Args:
        pred (np.ndarray): Float map, values in [0, 1], or a uint8 map
            (returned unchanged).

    Returns:
        np.ndarray: uint8 map, same shape.
    """
    if pred.dtype == np.uint8:
        return pred
    return np.round(np.clip(pred, 0.0, 1.0) * 255.0).astype(np.uint8)


def prepare_sod_pair(pred: np.ndarray, gt: np.ndarray) -> tuple:
    """Bring a prediction to the GT resolution and both to 8-bit form.

    Args:
        pred (np.ndarray): Prediction (h, w): uint8 0-255 or float in [0, 1].
        gt (np.ndarray): Binary GT (H, W): bool, or numbers where
            ``>= 0.5`` (float) / ``>= 128`` (uint8) is foreground.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``pred_u8`` (H, W) uint8 and
        ``gt_u8`` (H, W) uint8 in {0, 255}.
    """
    if pred.ndim != 2 or gt.ndim != 2:
        raise ValueError('prediction and GT must be 2-D (H, W) maps, got '
                         f'{pred.shape} and {gt.shape}')
    if gt.dtype == np.uint8:
        gt_bool = gt >= 128
    else:
        gt_bool = gt >= 0.5
    if pred.shape != gt.shape:
        if pred.dtype == np.uint8:
            pred = pred.astype(np.float32) / 255.0
        pred = resize_prediction(pred, gt.shape)
    pred_u8 = quantize_prediction(pred)
    return pred_u8, gt_bool.astype(np.uint8) * 255


def sod_image_statistics(
        pred: np.ndarray,
        gt: np.ndarray,
        fmeasure_beta2: float = FMEASURE_BETA2,
        wfmeasure_beta2: float = WEIGHTED_FMEASURE_BETA2,
        alpha: float = 0.5) -> Dict[str, Union[float, np.ndarray]]:
    """Per-image statistics of the default protocol (``py_sod_metrics``).

    Args:
        pred (np.ndarray): Prediction (h, w), uint8 or float in [0, 1];
            resized to the GT resolution if its shape differs.
        gt (np.ndarray): Binary GT (H, W); see :func:`prepare_sod_pair`.
        fmeasure_beta2 (float): beta^2 of the F-measure. Defaults to 0.3.
        wfmeasure_beta2 (float): beta^2 of the weighted F-measure.
            Defaults to 1.
        alpha (float): S-measure balance. Defaults to 0.5.

    Returns:
        dict: ``sm``, ``wf``, ``mae``, ``adp_f``, ``adp_e``, ``ssim``
        (floats) and ``f_curve``, ``e_curve``, ``p_curve``, ``r_curve``
        (float64 arrays of shape (256,)).
    """
    pred_u8, gt_u8 = prepare_sod_pair(pred, gt)
    # the exact normalisation of the py_sod_metrics accumulators
    pred_n, gt_b = prepare_data(pred_u8, gt_u8)

    smeasure = Smeasure(alpha=alpha)
    wfmeasure = WeightedFmeasure(beta=wfmeasure_beta2)
    mae = MAE()
    emeasure = Emeasure()
    fmeasure = FmeasureV2(
        metric_handlers=dict(
            fm=FmeasureHandler(
                with_dynamic=True, with_adaptive=True, beta=fmeasure_beta2),
            p=PrecisionHandler(with_dynamic=True, with_adaptive=False),
            r=RecallHandler(with_dynamic=True, with_adaptive=False)))
    for metric in (smeasure, wfmeasure, mae, emeasure, fmeasure):
        metric.step(pred_n, gt_b, normalize=False)
    f_res = fmeasure.get_results()
    return dict(
        sm=float(smeasure.sms[0]),
        wf=float(wfmeasure.weighted_fms[0]),
        mae=float(mae.maes[0]),
        adp_f=float(f_res['fm']['adaptive']),
        adp_e=float(emeasure.adaptive_ems[0]),
        ssim=global_ssim(pred_n, gt_b),
        f_curve=np.asarray(f_res['fm']['dynamic'], dtype=TYPE),
        e_curve=np.asarray(emeasure.changeable_ems[0], dtype=TYPE),
        p_curve=np.asarray(f_res['p']['dynamic'], dtype=TYPE),
        r_curve=np.asarray(f_res['r']['dynamic'], dtype=TYPE))


def _mean(values: List) -> Union[float, np.ndarray]:
    """Mean over images, as the ``py_sod_metrics`` accumulators take it."""
    return np.mean(np.array(values, dtype=TYPE), axis=0)


def aggregate_sod_statistics(records: Sequence[dict]) -> dict:
    """Reduce per-image records to dataset metrics and mean curves.

    Works for the records of :func:`sod_image_statistics` and of
    :func:`mmrsod.evaluation.functional.sral_image_statistics` (which have
    the same keys).

    Args:
        records (Sequence[dict]): One record per image.

    Returns:
        dict: ``metrics`` (dict with the keys of :data:`SOD_METRIC_KEYS`,
        floats) and ``curves`` (dict of mean ``f_curve``, ``e_curve``,
        ``p_curve``, ``r_curve`` arrays).
    """
    if len(records) == 0:
        raise ValueError('no images to evaluate (empty result list)')
    curves = {k: _mean([r[k] for r in records]) for k in _CURVE_KEYS}
    scalars = {k: float(_mean([r[k] for r in records])) for k in _SCALAR_KEYS}
    metrics = dict(
        Sm=scalars['sm'],
        maxF=float(curves['f_curve'].max()),
        meanF=float(curves['f_curve'].mean()),
        adpF=scalars['adp_f'],
        maxE=float(curves['e_curve'].max()),
        meanE=float(curves['e_curve'].mean()),
        adpE=scalars['adp_e'],
        wF=scalars['wf'],
        MAE=scalars['mae'])
    return dict(metrics=metrics, curves=curves)


__all__ = [
    'SOD_METRIC_KEYS', 'FMEASURE_BETA2', 'WEIGHTED_FMEASURE_BETA2',
    'resize_prediction', 'quantize_prediction', 'prepare_sod_pair',
    'sod_image_statistics', 'aggregate_sod_statistics'
]

# Copyright (c) mmrsod contributors. All rights reserved.
"""The evaluation protocol of the SRAL authors (``--protocol sral``).

Re-implementation (vectorised numpy, written from the behaviour of the
original) of the evaluator released with SRAL (public repository
``lyf0801/SRAL``), HFANet, UG2L and SDNet, which produced the numbers of the
SRAL paper (Tables I, III-VI):

* maps are compared at 448 x 448: the GT mask is **bilinearly** resized to
  448 (PIL, from the 8-bit mask) and kept **soft** (values k/255); the
  prediction is resized to 448 the same way when it is not 448 already;
* ``MAE`` = mean |pred - soft GT|, with the prediction **not** normalised;
* F-measure (beta^2 0.3): the prediction is min-max normalised per image
  (``(p - min) / (max - min + 1e-20)``), binarised at the 255 thresholds
  ``linspace(0, 1 - 1e-10, 255)`` (``>=``), and precision/recall are taken
  against the soft GT (``tp = sum(binary * gt)``); a pair whose prediction
  and GT both sum to zero is inverted first; NaN F values count as 0. F is
  averaged over images per threshold; ``maxF`` is the maximum and ``meanF``
  the mean of that curve;
* S-measure (alpha 0.5, Fan et al. 2017) on the min-max normalised
  prediction: ``1 - mean(pred)`` if the soft GT is empty, ``mean(pred)`` if
  it is full, otherwise the GT is binarised at 0.5, the object term uses
  ``2x / (x^2 + 1 + sigma + 1e-20)`` (unbiased std) and the region term splits
  at the GT centroid (rounded, **without** the MATLAB +1) and uses the global
  SSIM with ``C1 = C2 = 0`` (:func:`global_ssim`); negative scores clip to 0.

Deviations (documented, all tiny): everything is float64 (the authors use
float32 torch tensors, so the last threshold ``1 - 1e-10`` rounds to 1.0
there; the result is the same since min-max maps reach exactly 1.0); an
empty S-measure quadrant (centroid on the border) contributes 0 instead of
NaN; a single-pixel object has std 0 instead of NaN.

The authors do not report the remaining metrics (their E-measure is commented
out). :func:`sral_image_statistics` fills ``adpF``, ``maxE``, ``meanE``,
``adpE`` and ``wF`` with the default implementation
(:func:`sod_image_statistics`) run on the same 448 x 448 prediction and the
soft GT binarised at 0.5.
"""
from typing import Dict, Tuple, Union

import numpy as np
from PIL import Image

from .sod_statistics import FMEASURE_BETA2, sod_image_statistics
from .structural_similarity import global_ssim

#: Side length of the maps compared by the SRAL authors.
SRAL_SIZE = 448
#: Number of thresholds of the authors' F-measure.
SRAL_NUM_THRESHOLDS = 255
_EPS = 1e-20


def sral_saliency_map(prob: np.ndarray,
                      negative_threshold: float = 0.25) -> np.ndarray:
    """Turn a probability map into the 8-bit map the authors save.

    Own implementation of the rule of the authors' ``getsmaps.py``
    (``save_smap``), applied to ``sigmoid(smap1)`` at the network output
    size (448 x 448 for SRAL):

    * if ``max(prob) <= negative_threshold``: values below the threshold
      become 0 and the map is saved **without** normalisation (an image
      the network finds no object in stays dark);
    * otherwise the map is min-max normalised, ``(p - min) / (max - min)``
      (a constant map, 0 / 0, gives 0);

    then multiplied by 255 in float32 and converted as PIL converts a
    float (``F``) image to ``L``: clipped to [0, 255] and **truncated**
    (not rounded).

    Args:
        prob (np.ndarray): (H, W) probabilities in [0, 1].
        negative_threshold (float): Defaults to 0.25.

    Returns:
        np.ndarray: uint8 map of shape (H, W).
    """
    prob = np.asarray(prob, dtype=np.float32)
    if prob.ndim != 2:
        raise ValueError('sral_saliency_map expects an (H, W) map, got '
                         f'shape {prob.shape}')
    if prob.max() <= negative_threshold:
        out = np.where(prob < negative_threshold, np.float32(0), prob)
    else:
        low, high = prob.min(), prob.max()
        with np.errstate(divide='ignore', invalid='ignore'):
            out = (prob - low) / (high - low)
    out = np.nan_to_num(out * np.float32(255), nan=0.0)
    return np.floor(np.clip(out, 0, 255)).astype(np.uint8)


def sral_thresholds(num: int = SRAL_NUM_THRESHOLDS) -> np.ndarray:
    """The authors' thresholds ``linspace(0, 1 - 1e-10, num)`` (float64)."""
    return np.linspace(0.0, 1.0 - 1e-10, num)


def _resize_u8(image: np.ndarray, size: int) -> np.ndarray:
    """PIL bilinear resize of a uint8 (H, W) map to (size, size)."""
    if image.shape == (size, size):
        return image
    return np.asarray(
        Image.fromarray(image).resize((size, size), Image.BILINEAR))


def sral_prepare_pair(pred: np.ndarray,
                      gt: np.ndarray,
                      size: int = SRAL_SIZE) -> Tuple[np.ndarray, np.ndarray]:
    """Resize a prediction and a GT mask to ``size`` as the authors do.

    Args:
        pred (np.ndarray): uint8 (h, w) prediction map (0-255).
        gt (np.ndarray): uint8 (H, W) GT mask; binarised at 128 (data
            contract) before the bilinear resize.
        size (int): Output side length. Defaults to 448.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``pred_u8`` (size, size) uint8 and the
        soft GT (size, size) float64 in [0, 1].
    """
    if pred.dtype != np.uint8 or gt.dtype != np.uint8:
        raise TypeError('sral_prepare_pair expects uint8 maps, got '
                        f'{pred.dtype} and {gt.dtype}')
    gt_u8 = (gt >= 128).astype(np.uint8) * 255
    gt_soft = _resize_u8(gt_u8, size).astype(np.float64) / 255.0
    return _resize_u8(pred, size), gt_soft


def sral_minmax(pred: np.ndarray) -> np.ndarray:
    """Per-image min-max normalisation with the authors' ``1e-20``."""
    return (pred - pred.min()) / (pred.max() - pred.min() + _EPS)


def sral_pr_curves(pred_n: np.ndarray,
                   gt: np.ndarray,
                   num: int = SRAL_NUM_THRESHOLDS) -> Tuple[np.ndarray, ...]:
    """Precision/recall at the authors' thresholds against a soft GT.

    Vectorised with one ``searchsorted`` + ``bincount`` instead of a loop
    over thresholds.

    Args:
        pred_n (np.ndarray): Min-max normalised prediction (H, W).
        gt (np.ndarray): Soft GT (H, W) in [0, 1].
        num (int): Number of thresholds. Defaults to 255.

    Returns:
        tuple[np.ndarray, np.ndarray]: precision and recall, shape (num,),
        index ``i`` for threshold ``linspace(0, 1 - 1e-10, num)[i]``.
    """
    if pred_n.sum() == 0 and gt.sum() == 0:  # a negative sample
        pred_n = 1.0 - pred_n
        gt = 1.0 - gt
    thresholds = sral_thresholds(num)
    # index of the largest threshold <= value; -1: below every threshold
    idx = np.searchsorted(thresholds, pred_n.ravel(), side='right') - 1
    keep = idx >= 0
    counts = np.bincount(idx[keep], minlength=num)
    gt_mass = np.bincount(idx[keep], weights=gt.ravel()[keep], minlength=num)
    # pixels >= threshold i: suffix sums
    num_pos = np.cumsum(counts[::-1])[::-1].astype(np.float64)
    tp = np.cumsum(gt_mass[::-1])[::-1]
    precision = tp / (num_pos + _EPS)
    recall = tp / (gt.sum() + _EPS)
    return precision, recall


def sral_fmeasure_curve(precision: np.ndarray,
                        recall: np.ndarray,
                        beta2: float = FMEASURE_BETA2) -> np.ndarray:
    """F-measure curve from P/R with NaN (0/0) set to 0, as the authors."""
    with np.errstate(invalid='ignore', divide='ignore'):
        fm = (1 + beta2) * precision * recall / (beta2 * precision + recall)
    fm[np.isnan(fm)] = 0.0
    return fm


def _object_score(values: np.ndarray) -> float:
    """Object-aware score ``2x / (x^2 + 1 + sigma + 1e-20)``."""
    if values.size == 0:
        return 0.0
    mean = values.mean()
    std = values.std(ddof=1) if values.size > 1 else 0.0
    return float(2.0 * mean / (mean * mean + 1.0 + std + _EPS))


def sral_smeasure(pred_n: np.ndarray,
                  gt: np.ndarray,
                  alpha: float = 0.5) -> float:
    """S-measure with the authors' conventions.

    Args:
        pred_n (np.ndarray): Min-max normalised prediction (H, W).
        gt (np.ndarray): Soft GT (H, W) in [0, 1].
        alpha (float): Object/region balance. Defaults to 0.5.

    Returns:
        float: The score in [0, 1].
    """
    y = gt.mean()
    if y == 0:
        return float(1.0 - pred_n.mean())
    if y == 1:
        return float(pred_n.mean())
    gt_b = gt >= 0.5
    u = gt_b.mean()
    object_term = (
        u * _object_score(pred_n[gt_b]) +
        (1 - u) * _object_score(1.0 - pred_n[~gt_b]))

    h, w = gt_b.shape
    total = gt_b.sum()
    if total == 0:
        cx, cy = round(w / 2), round(h / 2)
    else:
        cx = int(
            np.round((gt_b.sum(axis=0) * np.arange(w)).sum() / total + _EPS))
        cy = int(
            np.round((gt_b.sum(axis=1) * np.arange(h)).sum() / total + _EPS))
    area = h * w
    w1 = cx * cy / area
    w2 = (w - cx) * cy / area
    w3 = cx * (h - cy) / area
    w4 = 1.0 - w1 - w2 - w3
    blocks = ((slice(0, cy), slice(0, cx)), (slice(0, cy), slice(cx, w)),
              (slice(cy, h), slice(0, cx)), (slice(cy, h), slice(cx, w)))
    region_term = 0.0
    for weight, block in zip((w1, w2, w3, w4), blocks):
        if weight > 0:
            region_term += weight * global_ssim(pred_n[block], gt_b[block])
    score = alpha * object_term + (1 - alpha) * region_term
    return float(max(score, 0.0))


def sral_image_statistics(
        pred: np.ndarray,
        gt: np.ndarray,
        size: int = SRAL_SIZE) -> Dict[str, Union[float, np.ndarray]]:
    """Per-image record of the SRAL protocol.

    Args:
        pred (np.ndarray): uint8 (h, w) prediction map (0-255).
        gt (np.ndarray): uint8 (H, W) GT mask.
        size (int): Comparison size. Defaults to 448.

    Returns:
        dict: The keys of :func:`sod_image_statistics`. ``mae``, ``sm``,
        ``f_curve``, ``p_curve``, ``r_curve`` (255 thresholds) follow the
        authors; ``ssim`` is :func:`global_ssim` of the min-max normalised
        prediction and the GT binarised at 0.5; ``wf``, ``adp_f``,
        ``adp_e``, ``e_curve`` come from the default implementation on the
        448 maps.
    """
    pred_u8, gt_soft = sral_prepare_pair(pred, gt, size)
    pred_f = pred_u8.astype(np.float64) / 255.0
    pred_n = sral_minmax(pred_f)
    precision, recall = sral_pr_curves(pred_n, gt_soft)
    record = sod_image_statistics(pred_u8, gt_soft >= 0.5)
    record.update(
        mae=float(np.abs(pred_f - gt_soft).mean()),
        sm=sral_smeasure(pred_n, gt_soft),
        ssim=global_ssim(pred_n, gt_soft >= 0.5),
        f_curve=sral_fmeasure_curve(precision, recall),
        p_curve=precision,
        r_curve=recall)
    return record


__all__ = [
    'SRAL_SIZE', 'SRAL_NUM_THRESHOLDS', 'sral_thresholds', 'sral_prepare_pair',
    'sral_minmax', 'sral_pr_curves', 'sral_fmeasure_curve', 'sral_smeasure',
    'sral_image_statistics'
]

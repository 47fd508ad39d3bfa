# Copyright (c) mmrsod contributors. All rights reserved.
import numpy as np
import pytest

from mmrsod.evaluation.functional import (aggregate_sod_statistics,
                                          sral_fmeasure_curve,
                                          sral_image_statistics, sral_minmax,
                                          sral_pr_curves, sral_prepare_pair,
                                          sral_saliency_map, sral_smeasure,
                                          sral_thresholds)


def _naive_pr(pred, gt):
    """Loop over the thresholds, as the authors' evaluator does."""
    if pred.sum() == 0 and gt.sum() == 0:
        pred, gt = 1 - pred, 1 - gt
    prec, rec = [], []
    for t in sral_thresholds():
        binary = (pred >= t).astype(np.float64)
        tp = (binary * gt).sum()
        prec.append(tp / (binary.sum() + 1e-20))
        rec.append(tp / (gt.sum() + 1e-20))
    return np.array(prec), np.array(rec)


def test_thresholds():
    th = sral_thresholds()
    assert th.shape == (255, )
    assert th[0] == 0 and th[-1] == pytest.approx(1 - 1e-10, abs=0)


def test_vectorised_pr_equals_loop():
    rng = np.random.default_rng(0)
    pred = sral_minmax(rng.random((24, 20)))
    gt = np.clip(rng.random((24, 20)) * 1.5 - 0.3, 0, 1)  # soft GT
    p, r = sral_pr_curves(pred, gt)
    p_ref, r_ref = _naive_pr(pred, gt)
    np.testing.assert_allclose(p, p_ref, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(r, r_ref, rtol=1e-12, atol=1e-15)


def test_negative_sample_is_inverted():
    p, r = sral_pr_curves(np.zeros((5, 5)), np.zeros((5, 5)))
    np.testing.assert_allclose(p, 1.0)
    np.testing.assert_allclose(r, 1.0)
    np.testing.assert_allclose(sral_fmeasure_curve(p, r), 1.0)
    # 0/0 F values count as 0
    f = sral_fmeasure_curve(np.zeros(3), np.zeros(3))
    np.testing.assert_array_equal(f, 0)


def test_smeasure_perfect_and_empty():
    gt = np.zeros((30, 40))
    gt[5:15, 10:30] = 1
    assert sral_smeasure(gt.copy(), gt) == pytest.approx(1.0)
    empty = np.zeros((30, 40))
    pred = np.full((30, 40), 0.25)
    assert sral_smeasure(pred, empty) == pytest.approx(0.75)
    assert sral_smeasure(pred, np.ones((30, 40))) == pytest.approx(0.25)
    # foreground in column 0 / row 0: empty quadrants are skipped (no NaN)
    corner = np.zeros((10, 10))
    corner[0, 0] = 1
    score = sral_smeasure(corner.copy(), corner)
    assert np.isfinite(score) and 0 <= score <= 1


def test_prepare_pair_soft_gt_and_resize():
    gt = np.zeros((8, 8), np.uint8)
    gt[2:6, 2:6] = 200  # >= 128 -> foreground
    pred = np.zeros((100, 60), np.uint8)
    pred_448, gt_soft = sral_prepare_pair(pred, gt)
    assert pred_448.shape == (448, 448) and gt_soft.shape == (448, 448)
    assert gt_soft.max() == 1.0 and gt_soft.min() == 0.0
    assert ((gt_soft > 0) & (gt_soft < 1)).any()  # soft edges
    with pytest.raises(TypeError, match='uint8'):
        sral_prepare_pair(pred.astype(float), gt)


def test_image_statistics_perfect_and_keys():
    gt = np.zeros((448, 448), np.uint8)
    gt[100:300, 50:200] = 255
    record = sral_image_statistics(gt, gt)
    metrics = aggregate_sod_statistics([record])['metrics']
    assert metrics['MAE'] == 0
    assert metrics['maxF'] == pytest.approx(1.0)
    assert metrics['Sm'] == pytest.approx(1.0)
    assert record['f_curve'].shape == (255, )
    assert record['e_curve'].shape == (256, )
    # MAE uses the un-normalised prediction against the soft GT
    half = (gt // 2).astype(np.uint8)
    record = sral_image_statistics(half, gt)
    expected = np.abs(half / 255.0 - gt / 255.0).mean()
    assert record['mae'] == pytest.approx(expected)


def test_sral_saliency_map_by_hand():
    """The authors' getsmaps.py rule on hand-computable maps."""
    # max > 0.25: min-max (0.25 .. 1) -> 0, 0.5, 1, 0.25 -> x255, truncated
    prob = np.array([[0.25, 0.625], [1.0, 0.4375]], np.float32)
    np.testing.assert_array_equal(
        sral_saliency_map(prob), np.array([[0, 127], [255, 63]], np.uint8))
    # max <= 0.25: no normalisation, values below 0.25 zeroed, 0.25 kept
    dark = np.array([[0.1, 0.25], [0.2, 0.0]], np.float32)
    np.testing.assert_array_equal(
        sral_saliency_map(dark), np.array([[0, 63], [0, 0]], np.uint8))
    np.testing.assert_array_equal(
        sral_saliency_map(np.full((2, 3), 0.2)), np.zeros((2, 3), np.uint8))
    # a constant map above the threshold: 0 / 0 -> 0
    np.testing.assert_array_equal(
        sral_saliency_map(np.full((2, 2), 0.7)), np.zeros((2, 2), np.uint8))
    # the threshold is a parameter
    np.testing.assert_array_equal(
        sral_saliency_map(dark, negative_threshold=0.1),
        np.array([[102, 255], [204, 0]], np.uint8))
    with pytest.raises(ValueError, match='expects an'):
        sral_saliency_map(np.zeros((1, 2, 2)))

# Copyright (c) mmrsod contributors. All rights reserved.
import numpy as np
import pytest
from py_sod_metrics import (MAE, Emeasure, Fmeasure, FmeasureHandler,
                            FmeasureV2, Smeasure, WeightedFmeasure)

from mmrsod.evaluation.functional import (aggregate_sod_statistics,
                                          prepare_sod_pair,
                                          sod_image_statistics)


def _pred_gt_4x4():
    gt = np.zeros((4, 4), np.uint8)
    gt[:2, :2] = 255
    pred = np.array(
        [[255, 255, 0, 0], [255, 128, 0, 0], [0, 0, 0, 0], [64, 0, 0, 0]],
        np.uint8)
    return pred, gt


def _random_pairs(num=5, seed=0):
    rng = np.random.default_rng(seed)
    pairs = []
    for i in range(num):
        h, w = 20 + 3 * i, 30 - 2 * i
        gt = np.zeros((h, w), np.uint8)
        gt[3:h // 2 + i, 4:w // 2] = 255
        pred = np.clip(gt * 0.7 + rng.normal(40, 30, (h, w)), 0,
                       255).astype(np.uint8)
        pairs.append((pred, gt))
    # an image without foreground
    pairs.append((rng.integers(0, 80, (16, 16)).astype(np.uint8),
                  np.zeros((16, 16), np.uint8)))
    return pairs


def test_hand_computed_4x4():
    pred, gt = _pred_gt_4x4()
    metrics = aggregate_sod_statistics([sod_image_statistics(pred,
                                                             gt)])['metrics']
    assert metrics['MAE'] == pytest.approx((127 / 255 + 64 / 255) / 16)
    # thresholds 255..129: 3 px, P=1, R=3/4; 128..65: P=R=1;
    # 64..1: 5 px, P=0.8, R=1; 0: all 16 px, P=1/4, R=1
    f_hi = 1.3 * 0.75 / (0.3 + 0.75)
    f_lo = 1.3 * 0.8 / (0.3 * 0.8 + 1)
    f_0 = 1.3 * 0.25 / (0.3 * 0.25 + 1)
    assert metrics['maxF'] == pytest.approx(1.0)
    assert metrics['meanF'] == pytest.approx(
        (127 * f_hi + 64 * 1.0 + 64 * f_lo + f_0) / 256)
    # adaptive threshold 2 * mean = 0.469 keeps the 4 GT pixels
    assert metrics['adpF'] == pytest.approx(1.0)


def test_perfect_prediction():
    _, gt = _pred_gt_4x4()
    gt = np.pad(gt, 6)
    metrics = aggregate_sod_statistics([sod_image_statistics(gt,
                                                             gt)])['metrics']
    assert metrics['MAE'] == 0
    assert metrics['Sm'] == pytest.approx(1.0)
    assert metrics['maxF'] == pytest.approx(1.0)
    assert metrics['adpF'] == pytest.approx(1.0)
    assert metrics['maxE'] == pytest.approx(1.0, abs=1e-2)
    assert metrics['wF'] == pytest.approx(1.0)


def test_all_zero_prediction():
    _, gt = _pred_gt_4x4()
    record = sod_image_statistics(np.zeros((4, 4), np.uint8), gt)
    metrics = aggregate_sod_statistics([record])['metrics']
    assert metrics['MAE'] == pytest.approx(4 / 16)
    # only threshold 0 selects pixels (all of them): P = 1/4, R = 1
    f_0 = 1.3 * 0.25 / (0.3 * 0.25 + 1)
    assert metrics['maxF'] == pytest.approx(f_0)
    assert metrics['meanF'] == pytest.approx(f_0 / 256)
    assert metrics['Sm'] < 0.5


def test_float_prediction_is_resized_and_quantised():
    _, gt = _pred_gt_4x4()
    pred = np.kron(gt.astype(np.float32) / 255, np.ones((2, 2), np.float32))
    pred_u8, gt_u8 = prepare_sod_pair(pred, gt)
    assert pred_u8.shape == gt.shape and pred_u8.dtype == np.uint8
    np.testing.assert_array_equal(pred_u8, gt)
    np.testing.assert_array_equal(gt_u8, gt)
    # float GT in {0, 1} gives the same
    _, gt_u8 = prepare_sod_pair(pred, gt.astype(np.float32) / 255)
    np.testing.assert_array_equal(gt_u8, gt)
    with pytest.raises(ValueError, match='2-D'):
        prepare_sod_pair(pred[None], gt)


@pytest.mark.filterwarnings('ignore:This class will be removed')
def test_equals_py_sod_metrics_accumulators():
    pairs = _random_pairs()
    records = [sod_image_statistics(p, g) for p, g in pairs]
    ours = aggregate_sod_statistics(records)
    sm, wfm, mae, em, fm = (Smeasure(), WeightedFmeasure(), MAE(), Emeasure(),
                            Fmeasure())
    fm2 = FmeasureV2(
        metric_handlers=dict(
            fm=FmeasureHandler(with_dynamic=True, with_adaptive=True)))
    for pred, gt in pairs:
        for m in (sm, wfm, mae, em, fm, fm2):
            m.step(pred, gt)
    metrics = ours['metrics']
    assert metrics['Sm'] == sm.get_results()['sm']
    assert metrics['wF'] == wfm.get_results()['wfm']
    assert metrics['MAE'] == mae.get_results()['mae']
    em_res = em.get_results()['em']
    assert metrics['adpE'] == em_res['adp']
    assert metrics['maxE'] == em_res['curve'].max()
    assert metrics['meanE'] == em_res['curve'].mean()
    fm2_res = fm2.get_results()['fm']
    assert metrics['adpF'] == fm2_res['adaptive']
    assert metrics['maxF'] == fm2_res['dynamic'].max()
    assert metrics['meanF'] == fm2_res['dynamic'].mean()
    fm_res = fm.get_results()
    np.testing.assert_allclose(
        ours['curves']['f_curve'], fm_res['fm']['curve'], rtol=1e-12)
    np.testing.assert_allclose(
        ours['curves']['p_curve'], fm_res['pr']['p'], rtol=1e-12)
    np.testing.assert_allclose(
        ours['curves']['r_curve'], fm_res['pr']['r'], rtol=1e-12)
    assert metrics['adpF'] == pytest.approx(fm_res['fm']['adp'], rel=1e-12)


def test_aggregate_empty():
    with pytest.raises(ValueError, match='no images'):
        aggregate_sod_statistics([])

# Copyright (c) mmrsod contributors. All rights reserved.
import json

import numpy as np
import pytest
import torch
from mmengine.structures import PixelData
from mmseg.registry import METRICS
from mmseg.structures import SegDataSample
from py_sod_metrics import (MAE, Emeasure, FmeasureHandler, FmeasureV2,
                            Smeasure, WeightedFmeasure)

from mmrsod.evaluation import SODMetric
from mmrsod.evaluation.functional import global_ssim, read_gray_map


def _make_samples(num=6, seed=0):
    """Data samples as dicts (what mmengine's Evaluator hands to metrics)."""
    rng = np.random.default_rng(seed)
    samples = []
    for i in range(num):
        h, w = 24 + 2 * i, 32 - i
        gt = np.zeros((h, w), np.float32)
        gt[4:12 + i, 5:20] = 1
        prob = np.clip(gt * 0.6 + rng.normal(0.2, 0.15, (h, w)), 0, 1)
        if i == 2:  # a prediction at another resolution
            prob = np.clip(rng.random((h // 2, w // 2)), 0, 1)
        sample = SegDataSample(metainfo=dict(img_path=f'/data/img_{i}.jpg'))
        sample.seg_logits = PixelData(
            data=torch.from_numpy(prob.astype(np.float32))[None])
        sample.gt_sem_seg = PixelData(data=torch.from_numpy(gt)[None])
        samples.append(sample.to_dict())
    return samples


def _uint8_maps(samples):
    """The uint8 maps SODMetric evaluates (GT size, rounded)."""
    maps = []
    for s in samples:
        prob = s['seg_logits']['data'][0].numpy()
        gt = s['gt_sem_seg']['data'][0].numpy()
        if prob.shape != gt.shape:
            import cv2
            prob = np.clip(
                cv2.resize(
                    prob, gt.shape[::-1], interpolation=cv2.INTER_LINEAR), 0,
                1)
        maps.append((np.round(prob * 255).astype(np.uint8),
                     (gt * 255).astype(np.uint8)))
    return maps


def _run(metric, samples):
    metric.process({}, samples)
    return metric.compute_metrics(metric.results)


def test_registered_and_keys():
    metric = METRICS.build(dict(type='SODMetric'))
    assert isinstance(metric, SODMetric)
    res = _run(metric, _make_samples(2))
    assert list(res) == [
        'Sm', 'maxF', 'meanF', 'adpF', 'maxE', 'meanE', 'adpE', 'wF', 'MAE'
    ]


def test_equals_py_sod_metrics():
    samples = _make_samples()
    res = _run(SODMetric(), samples)
    sm, wfm, mae, em = Smeasure(), WeightedFmeasure(), MAE(), Emeasure()
    fm = FmeasureV2(
        metric_handlers=dict(
            fm=FmeasureHandler(with_dynamic=True, with_adaptive=True)))
    for pred, gt in _uint8_maps(samples):
        for m in (sm, wfm, mae, em, fm):
            m.step(pred, gt)
    fm_res = fm.get_results()['fm']
    em_res = em.get_results()['em']
    expected = dict(
        Sm=sm.get_results()['sm'],
        maxF=fm_res['dynamic'].max(),
        meanF=fm_res['dynamic'].mean(),
        adpF=fm_res['adaptive'],
        maxE=em_res['curve'].max(),
        meanE=em_res['curve'].mean(),
        adpE=em_res['adp'],
        wF=wfm.get_results()['wfm'],
        MAE=mae.get_results()['mae'])
    for key, value in expected.items():
        assert res[key] == pytest.approx(value, rel=1e-12, abs=1e-15), key


def test_distributed_split_is_exact():
    samples = _make_samples()
    single = _run(SODMetric(), samples)
    rank0, rank1 = SODMetric(), SODMetric()
    rank0.process({}, samples[:2])
    rank1.process({}, samples[2:])
    merged = SODMetric().compute_metrics(rank0.results + rank1.results)
    assert merged == single


def test_perfect_and_hand_values():
    gt = torch.zeros(1, 4, 4)
    gt[:, :2, :2] = 1
    sample = SegDataSample(metainfo=dict(img_path='a.jpg'))
    sample.gt_sem_seg = PixelData(data=gt)
    sample.seg_logits = PixelData(data=gt.clone())
    res = _run(SODMetric(), [sample.to_dict()])
    assert res['MAE'] == 0
    assert res['Sm'] == pytest.approx(1.0)
    assert res['maxF'] == pytest.approx(1.0)
    # 4x4 example: MAE and F by hand
    pred = torch.tensor([[255, 255, 0, 0], [255, 128, 0, 0], [0, 0, 0, 0],
                         [64, 0, 0, 0]]).float()[None] / 255
    sample.seg_logits = PixelData(data=pred)
    res = _run(SODMetric(), [sample.to_dict()])
    assert res['MAE'] == pytest.approx((127 + 64) / 255 / 16)
    assert res['maxF'] == pytest.approx(1.0)
    # all-zero prediction: only threshold 0 selects pixels
    sample.seg_logits = PixelData(data=torch.zeros(1, 4, 4))
    res = _run(SODMetric(), [sample.to_dict()])
    assert res['MAE'] == pytest.approx(0.25)
    assert res['maxF'] == pytest.approx(1.3 * 0.25 / (0.3 * 0.25 + 1))


def test_bad_inputs():
    sample = _make_samples(1)[0]
    bad = dict(sample)
    bad['seg_logits'] = dict(data=sample['seg_logits']['data'] * 10 - 5)
    with pytest.raises(ValueError, match='probabilities'):
        SODMetric().process({}, [bad])
    bad['seg_logits'] = dict(data=torch.rand(2, 4, 4))
    with pytest.raises(ValueError, match=r'\(1, H, W\)'):
        SODMetric().process({}, [bad])
    del bad['seg_logits']
    with pytest.raises(KeyError, match='seg_logits'):
        SODMetric().process({}, [bad])


def test_pred_dir_and_curves(tmp_path):
    samples = _make_samples(3)
    metric = SODMetric(
        pred_dir=str(tmp_path / 'maps'), curves_dir=str(tmp_path / 'curves'))
    _run(metric, samples)
    for i, (pred, _) in enumerate(_uint8_maps(samples)):
        saved = read_gray_map(tmp_path / 'maps' / f'img_{i}.png')
        np.testing.assert_array_equal(saved, pred)
    assert not list((tmp_path / 'maps').glob('*.tmp'))
    data = json.loads((tmp_path / 'curves' / 'sod_curves.json').read_text())
    assert len(data['precision']) == 256
    assert (tmp_path / 'curves' / 'pr_curve.png').is_file()
    assert (tmp_path / 'curves' / 'f_curve.png').is_file()


def test_pred_dir_sral_format(tmp_path):
    """map_format='sral': the network-size map, the authors' rule."""
    samples = _make_samples(2)
    out_maps = [
        np.array([[0.25, 0.625], [1.0, 0.4375]], np.float32),
        np.array([[0.1, 0.25], [0.2, 0.0]], np.float32)
    ]
    for sample, out_map in zip(samples, out_maps):
        sample['out_map'] = dict(data=torch.from_numpy(out_map)[None])
    metric = SODMetric(pred_dir=str(tmp_path / 'maps'), map_format='sral')
    reference = _run(SODMetric(), _make_samples(2))
    assert _run(metric, samples) == reference  # metrics do not change
    np.testing.assert_array_equal(
        read_gray_map(tmp_path / 'maps' / 'img_0.png'),
        np.array([[0, 127], [255, 63]], np.uint8))
    np.testing.assert_array_equal(
        read_gray_map(tmp_path / 'maps' / 'img_1.png'),
        np.array([[0, 63], [0, 0]], np.uint8))
    metric = SODMetric(pred_dir=str(tmp_path / 'm2'), map_format='sral')
    with pytest.raises(KeyError, match='with_out_map=True'):
        metric.process({}, _make_samples(1))
    with pytest.raises(ValueError, match='map_format'):
        SODMetric(map_format='png')


def test_attributes(tmp_path):
    samples = _make_samples(3)
    attr_file = tmp_path / 'attrs.txt'
    attr_file.write_text('img_0 BSO CS\nimg_1,CS\nimg_2 SSO\n')
    res = _run(SODMetric(attribute_file=str(attr_file)), samples)
    ssim = [
        global_ssim(
            p / 255.0 if p.max() == p.min() else
            (p - p.min()) / float(p.max() - p.min()), g > 128)
        for p, g in _uint8_maps(samples)
    ]
    assert res['SSIM_BSO'] == pytest.approx(ssim[0])
    assert res['SSIM_CS'] == pytest.approx((ssim[0] + ssim[1]) / 2)
    assert res['SSIM_SSO'] == pytest.approx(ssim[2])
    assert res['SSIM_avg'] == pytest.approx(
        (res['SSIM_BSO'] + res['SSIM_CS'] + res['SSIM_SSO']) / 3)
    attr_file.write_text('img_0 BSO\n')
    with pytest.raises(ValueError, match='img_1, img_2'):
        _run(SODMetric(attribute_file=str(attr_file)), samples)
    attr_file.write_text('img_0\n')
    with pytest.raises(ValueError, match='attrs.txt:1'):
        SODMetric(attribute_file=str(attr_file))

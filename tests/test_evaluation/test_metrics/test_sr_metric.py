# Copyright (c) mmrsod contributors. All rights reserved.
import numpy as np
import pytest
import torch
from mmengine.structures import PixelData
from mmseg.registry import METRICS
from mmseg.structures import SegDataSample

from mmrsod.evaluation import SRMetric


def _sample(pred, gt):
    sample = SegDataSample()
    if pred is not None:
        sample.pred_sr = PixelData(data=pred)
    sample.gt_sr = PixelData(data=gt)
    return sample.to_dict()


def _run(metric, samples):
    metric.process({}, samples)
    return metric.compute_metrics(metric.results)


def test_identical_and_noisy():
    torch.manual_seed(0)
    gt = torch.rand(3, 32, 32)
    metric = METRICS.build(dict(type='SRMetric'))
    res = _run(metric, [_sample(gt.clone(), gt)])
    assert res == dict(PSNR=100.0, SSIM=pytest.approx(1.0))
    noisy = gt.clone()
    noisy[0] = (gt[0] + 0.05 * torch.randn(32, 32)).clamp(0, 1)
    noisy[1:] = 0  # chroma is ignored
    res = _run(SRMetric(), [_sample(noisy, gt)])
    mse = ((noisy[0] - gt[0]).double()**2).mean().item()
    assert res['PSNR'] == pytest.approx(10 * np.log10(1 / mse))
    assert 0 < res['SSIM'] < 1


def test_distributed_split_is_exact():
    torch.manual_seed(1)
    samples = [
        _sample(torch.rand(3, 16, 16), torch.rand(3, 16, 16)) for _ in range(4)
    ]
    single = _run(SRMetric(), samples)
    a, b = SRMetric(), SRMetric()
    a.process({}, samples[:1])
    b.process({}, samples[1:])
    assert SRMetric().compute_metrics(a.results + b.results) == single


def test_errors():
    gt = torch.rand(3, 16, 16)
    with pytest.raises(KeyError, match=r'with_sr=True'):
        SRMetric().process({}, [_sample(None, gt)])
    with pytest.raises(ValueError, match=r'\(3, H, W\)'):
        SRMetric().process({}, [_sample(torch.rand(1, 16, 16), gt)])
    with pytest.raises(ValueError, match='crop_border'):
        SRMetric(crop_border=-1)
    res = _run(SRMetric(crop_border=2), [_sample(gt.clone() * 0.9, gt)])
    assert res['PSNR'] < 100

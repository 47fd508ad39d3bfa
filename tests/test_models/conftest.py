# Copyright (c) mmrsod contributors. All rights reserved.
"""Shared fixtures of the model tests (fake SOD data samples)."""
from typing import Callable, List, Sequence

import pytest
import torch
from mmengine.registry import DefaultScope
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample
from mmseg.utils import register_all_modules

import mmrsod.models  # noqa: F401  (registers the modules)

register_all_modules(init_default_scope=False)


@pytest.fixture(autouse=True)
def mmseg_default_scope():
    """Run each model test under ``default_scope='mmseg'`` (as configs do)
    and restore the previous scope afterwards."""
    with DefaultScope.overwrite_default_scope('mmseg'):
        yield


def _make_samples(num: int = 2,
                  img_size: int = 224,
                  hr_size: int = 448,
                  ori_shape: Sequence[int] = (300, 400),
                  with_sr: bool = True,
                  soft: bool = False,
                  seed: int = 0) -> List[SegDataSample]:
    """Fake training/test samples per the data-sample contract."""
    gen = torch.Generator().manual_seed(seed)
    samples = []
    for _ in range(num):
        sample = SegDataSample()
        mask = torch.rand(1, hr_size, hr_size, generator=gen)
        if not soft:
            mask = (mask > 0.5).float()
        sample.gt_sem_seg = PixelData(data=mask)
        if with_sr:
            sample.gt_sr = PixelData(
                data=torch.rand(3, hr_size, hr_size, generator=gen))
        sample.set_metainfo(
            dict(
                img_shape=(img_size, img_size),
                ori_shape=tuple(ori_shape),
                hr_shape=(hr_size, hr_size),
                img_path='fake.jpg',
                seg_map_path='fake.png'))
        samples.append(sample)
    return samples


@pytest.fixture
def make_samples() -> Callable[..., List[SegDataSample]]:
    """Factory fixture: ``make_samples(num, img_size, hr_size, ...)``."""
    return _make_samples

# Copyright (c) mmrsod contributors. All rights reserved.
import pytest
import torch
import torch.nn as nn
from mmseg.registry import MODELS

from mmrsod.models import PPMNeck


def _feats(channels=(8, 16, 32, 64, 128), size=64, batch=2):
    sizes = [size // 2**i for i in range(1, 6)]
    return tuple(torch.rand(batch, c, s, s) for c, s in zip(channels, sizes))


def test_ppm_appends_f6():
    neck = MODELS.build(dict(type='PPMNeck', in_channels=128,
                             channels=24)).eval()
    feats = _feats()
    with torch.no_grad():
        outs = neck(feats)
    assert len(outs) == 6
    for a, b in zip(outs[:5], feats):
        assert a is b
    assert outs[5].shape == (2, 24, 2, 2)
    # authors' code: conv+BN+PReLU, bins (1, 2, 3, 6), no input concat
    assert isinstance(neck.reduce.activate, nn.PReLU)
    assert neck.reduce.conv.kernel_size == (3, 3)
    assert [b[0].output_size for b in neck.branches] == [1, 2, 3, 6]
    assert neck.fuse.conv.in_channels == 4 * 24


def test_ppm_r50_sizes_and_paper_variant():
    neck = PPMNeck(pool_scales=(1, 2, 3, 4), concat_input=True).eval()
    f5 = torch.rand(1, 2048, 7, 7)
    with torch.no_grad():
        outs = neck((f5, ))
    assert outs[-1].shape == (1, 256, 7, 7)
    assert neck.fuse.conv.in_channels == 5 * 256


def test_ppm_rejects_empty_scales():
    with pytest.raises(ValueError, match='pool_scales'):
        PPMNeck(pool_scales=())

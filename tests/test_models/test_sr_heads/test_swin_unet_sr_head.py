# Copyright (c) mmrsod contributors. All rights reserved.
"""SwinUNetSRHead: output sizes (also for inputs that are not multiples of
32) and the masked L1 loss against hand-computed values."""
import math

import pytest
import torch
from mmdet.models.backbones import SwinTransformer
from mmdet.structures import DetDataSample
from mmengine.registry import DefaultScope
from mmengine.structures import PixelData

from mmrsod.models import SwinUNetSRHead

CHANNELS = (16, 32, 64, 128)
STRIDES = (4, 8, 16, 32)


@pytest.fixture(autouse=True)
def mmdet_scope(mmseg_default_scope):
    """mmdet's default scope (after the shared mmseg one)."""
    with DefaultScope.overwrite_default_scope('mmdet'):
        yield


def tiny_head(**kwargs) -> SwinUNetSRHead:
    torch.manual_seed(0)
    return SwinUNetSRHead(
        in_channels=CHANNELS, num_heads=(4, 2, 1), dec_channels=8, **kwargs)


def ceil_feats(batch: int, h: int, w: int, seed: int = 0) -> list:
    """Encoder-like maps of ceil(h / s) x ceil(w / s) for s = 4..32."""
    gen = torch.Generator().manual_seed(seed)
    return [
        torch.randn(
            batch, c, math.ceil(h / s), math.ceil(w / s), generator=gen)
        for c, s in zip(CHANNELS, STRIDES)
    ]


@pytest.mark.parametrize('size', [(64, 64), (72, 56), (40, 100)])
def test_output_is_twice_the_input(size):
    head = tiny_head()
    out = head(ceil_feats(2, *size), size)
    assert out.shape == (2, 3, 2 * size[0], 2 * size[1])


def test_real_swin_features_of_a_non_multiple_input():
    """A 72x56 input through a tiny Swin: maps 18x14, 9x7, 5x4, 3x2."""
    torch.manual_seed(0)
    swin = SwinTransformer(
        embed_dims=16,
        depths=(1, 1, 1, 1),
        num_heads=(1, 2, 4, 8),
        out_indices=(0, 1, 2, 3))
    feats = swin(torch.randn(1, 3, 72, 56))
    assert [tuple(f.shape[-2:]) for f in feats] == [(18, 14), (9, 7), (5, 4),
                                                    (3, 2)]
    out = tiny_head()(feats, (72, 56))
    assert out.shape == (1, 3, 144, 112)


def test_upscale_4():
    out = tiny_head(upscale=4)(ceil_feats(1, 32, 32), (32, 32))
    assert out.shape == (1, 3, 128, 128)


def test_default_init_is_swin_like():
    head = tiny_head()
    head.init_weights()
    qkv = head.stages[0].blocks[0].attn.w_msa.qkv
    assert torch.equal(qkv.bias, torch.zeros_like(qkv.bias))
    norm = head.expands[1].norm
    assert torch.equal(norm.weight, torch.ones_like(norm.weight))


def test_three_maps_is_a_clear_error():
    with pytest.raises(ValueError, match=r'out_indices=\(0, 1, 2, 3\)'):
        tiny_head()(ceil_feats(1, 32, 32)[1:], (32, 32))


def make_samples(gt_sr: torch.Tensor, img_shapes) -> list:
    samples = []
    for target, img_shape in zip(gt_sr, img_shapes):
        sample = DetDataSample(
            metainfo=dict(
                img_shape=img_shape, batch_input_shape=(32, 32), sr_scale=2))
        sample.gt_sr = PixelData(data=target.clone())
        samples.append(sample)
    return samples


def test_loss_is_the_masked_mean_abs_error():
    """Sample 0 fills the 32x32 batch; sample 1 is 24x20 (HR 48x40)
    padded: loss = 5 * sum(|pred - gt| on valid HR pixels) / (3 * n)."""
    head = tiny_head()
    feats = ceil_feats(2, 32, 32)
    gen = torch.Generator().manual_seed(1)
    gt = torch.rand(2, 3, 64, 64, generator=gen)
    img_shapes = [(32, 32), (24, 20)]
    loss = head.loss(feats, make_samples(gt, img_shapes))['loss_sr']
    with torch.no_grad():
        pred = head(feats, (32, 32))
    err0 = (pred[0] - gt[0]).abs().sum()
    err1 = (pred[1, :, :48, :40] - gt[1, :, :48, :40]).abs().sum()
    expected = 5.0 * (err0 + err1) / (3 * (64 * 64 + 48 * 40))
    torch.testing.assert_close(loss.detach(), expected)

    # the padded HR region of sample 1 does not count
    gt_changed = gt.clone()
    gt_changed[1, :, 48:, :] = 7.0
    gt_changed[1, :, :, 40:] = -3.0
    loss_changed = head.loss(feats, make_samples(gt_changed,
                                                 img_shapes))['loss_sr']
    torch.testing.assert_close(loss_changed, loss)
    # ... but the valid region does
    gt_changed[1, :, 0, 0] = 7.0
    loss_valid = head.loss(feats, make_samples(gt_changed,
                                               img_shapes))['loss_sr']
    assert loss_valid > loss
    loss.backward()
    assert head.expands[0].expand.weight.grad is not None


def test_missing_gt_sr_is_a_clear_error():
    head = tiny_head()
    samples = make_samples(torch.zeros(2, 3, 64, 64), [(32, 32)] * 2)
    del samples[1].gt_sr
    with pytest.raises(
            ValueError,
            match=r'samples \[1\].*no gt_sr.*'
            r'DownsampleToLR\(keep_hr=True\).*DetSRDataPrep'):
        head.loss(ceil_feats(2, 32, 32), samples)


def test_gt_sr_of_the_wrong_size_is_a_clear_error():
    head = tiny_head()
    samples = make_samples(torch.zeros(2, 3, 32, 32), [(32, 32)] * 2)
    with pytest.raises(ValueError, match='does not match the SR output'):
        head.loss(ceil_feats(2, 32, 32), samples)

# Copyright (c) mmrsod contributors. All rights reserved.
import pytest
import torch
import torch.nn.functional as F
from mmseg.registry import MODELS

from mmrsod.models import ASRDHead

SMALL = dict(
    in_channels=(8, 16),
    in_index=(0, 1),
    low_channels=8,
    fuse_channels=(16, 8),
    mid_channels=8,
    up_channels=(8, 8, 4))


def test_sral_shapes_code_defaults():
    head = MODELS.build(dict(type='ASRDHead')).eval()
    f2 = torch.rand(1, 256, 56, 56)
    f6 = torch.rand(1, 256, 7, 7)
    feats = [None, f2, None, None, None, f6]
    with torch.no_grad():
        pred_sr, sr_feat = head(feats)
    assert pred_sr.shape == (1, 3, 448, 448)
    assert sr_feat.shape == (1, 3, 448, 448)
    # authors' code: 1x1 down to 64, 320 -> 256 -> 128 -> 64, deconvs k2
    assert head.low_conv.conv.kernel_size == (1, 1)
    assert head.fuse[0].conv.in_channels == 64 + 256
    deconvs = [m for m in head.up if isinstance(m, torch.nn.ConvTranspose2d)]
    assert [(d.in_channels, d.out_channels) for d in deconvs] == [(64, 64),
                                                                  (64, 32),
                                                                  (32, 16)]
    assert all(d.kernel_size == (2, 2) for d in deconvs)
    assert not head.input_residual


def test_resnetv1c_inputs():
    # PSPNet / DeepLabv3+ encoder: stride-4 256 ch and stride-8 2048 ch
    head = ASRDHead(in_channels=(256, 2048), in_index=(0, 3)).eval()
    feats = [
        torch.rand(1, 256, 56, 56),
        torch.rand(1, 512, 28, 28),
        torch.rand(1, 1024, 28, 28),
        torch.rand(1, 2048, 28, 28)
    ]
    with torch.no_grad():
        pred_sr, _ = head(feats)
    assert pred_sr.shape == (1, 3, 448, 448)


def test_input_residual():
    head = ASRDHead(input_residual=True, **SMALL).eval()
    torch.nn.init.zeros_(head.conv_sr.weight)
    torch.nn.init.zeros_(head.conv_sr.bias)
    feats = [torch.rand(2, 8, 8, 8), torch.rand(2, 16, 2, 2)]
    lr = torch.rand(2, 3, 32, 32)
    with torch.no_grad():
        pred_sr, _ = head(feats, lr)
    expected = F.interpolate(
        lr, size=(64, 64), mode='bicubic', align_corners=False)
    assert torch.allclose(pred_sr, expected, atol=1e-6)
    with pytest.raises(ValueError, match='lr_ycbcr'):
        head(feats)
    with pytest.raises(ValueError, match='in_index'):
        head(feats[:1], lr)


def test_mse_loss_weight_and_override(make_samples):
    head = ASRDHead(**SMALL)
    samples = make_samples(num=2, img_size=32, hr_size=64)
    gt = torch.stack([s.gt_sr.data for s in samples])
    pred = torch.zeros(2, 3, 64, 64)
    mse = (gt**2).mean().item()
    assert head.loss_by_feat(pred, samples)['loss_sr'].item() == \
        pytest.approx(100 * mse, rel=1e-5)
    # SRLossWarmupHook sets the override; the head reads no global state
    head.loss_weight_override = 1.0
    assert head.loss_by_feat(pred, samples)['loss_sr'].item() == \
        pytest.approx(mse, rel=1e-5)
    head.loss_weight_override = None
    assert head.current_loss_weight() == 100.0
    # off by a pixel: resized; far off: a clear error
    loss = head.loss_by_feat(torch.zeros(2, 3, 63, 63), samples)
    assert torch.isfinite(loss['loss_sr'])
    with pytest.raises(ValueError, match='in_index'):
        head.loss_by_feat(torch.zeros(2, 3, 32, 32), samples)
    with pytest.raises(KeyError, match='gt_sr'):
        head.loss_by_feat(pred, make_samples(num=1, with_sr=False))


def test_paper_variant_builds():
    head = ASRDHead(
        low_kernel_size=3,
        fuse_channels=(64, ),
        fuse_dropouts=(0.0, ),
        mid_kernel_size=3,
        mid_with_norm_act=True,
        up_channels=(32, 16, 3),
        act_cfg=dict(type='PReLU'),
        in_channels=(8, 16),
        in_index=(0, 1)).eval()
    with torch.no_grad():
        pred_sr, sr_feat = head(
            [torch.rand(1, 8, 8, 8),
             torch.rand(1, 16, 2, 2)])
    assert pred_sr.shape == sr_feat.shape == (1, 3, 64, 64)
    with pytest.raises(ValueError, match='fuse_dropouts'):
        ASRDHead(fuse_channels=(64, ), fuse_dropouts=(0.5, 0.1))


def test_without_feat_layer():
    head = ASRDHead(with_feat=False, **SMALL).eval()
    assert not hasattr(head, 'conv_feat')
    with torch.no_grad():
        pred_sr, sr_feat = head(
            [torch.rand(1, 8, 8, 8),
             torch.rand(1, 16, 2, 2)])
    assert pred_sr.shape == (1, 3, 64, 64) and sr_feat is None

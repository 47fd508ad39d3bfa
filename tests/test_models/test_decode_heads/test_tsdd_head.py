# Copyright (c) mmrsod contributors. All rights reserved.
import pytest
import torch
from mmseg.registry import MODELS

from mmrsod.models import StructureLoss, TSDDHead

R50_CHANNELS = (64, 256, 512, 1024, 2048, 256)


def _feats(channels=R50_CHANNELS, img=224, batch=1):
    """Fake (f1, ..., f5, f6) for an ``img`` x ``img`` input."""
    sizes = [img // 2**i for i in range(1, 6)] + [img // 32]
    return [torch.rand(batch, c, s, s) for c, s in zip(channels, sizes)]


def test_code_path_shapes_r50():
    head = MODELS.build(dict(type='TSDDHead')).eval()
    feats = _feats()
    with torch.no_grad():
        t_list, logits = head.decode(feats)
        preds = head(feats)
    # t_i: 64 ch at 2x the size of f_i: 224, 112, 56, 28, 14 (= 448 / 2^i)
    assert [tuple(t.shape) for t in t_list
            ] == [(1, 64, 448 // 2**i, 448 // 2**i) for i in range(1, 6)]
    assert [p.shape[2] for p in logits] == [224, 112, 56, 28, 14]
    assert len(preds) == 5
    for p in preds:
        assert p.shape == (1, 1, 448, 448)
    # authors' widths: concat -> 256 (1x1), deconv 256 -> 128, 3x3 -> 64,
    # the 256-ch fused feature is passed on
    assert [m.conv.in_channels for m in head.fuse_convs
            ] == [64 + 256, 256 + 256, 512 + 256, 1024 + 256, 2048 + 256]
    assert all(m.conv.out_channels == 256 for m in head.fuse_convs)
    assert all(
        isinstance(m.conv, torch.nn.ConvTranspose2d) for m in head.up_convs)
    assert all(m.conv.out_channels == 128 for m in head.up_convs)
    assert all(m.kernel_size == (3, 3) for m in head.conv_seg)


def test_paper_path_shapes():
    head = TSDDHead(
        pass_fused_feature=False, fuse_channels=64, up_channels=64).eval()
    with torch.no_grad():
        t_list, _ = head.decode(_feats())
        preds = head(_feats())
    assert [t.shape[2] for t in t_list] == [224, 112, 56, 28, 14]
    # t_i = TAB(t_{i+1}, f_i): 64-ch t_{i+1} is concatenated
    assert head.fuse_convs[3].conv.in_channels == 1024 + 64
    assert head.fuse_convs[4].conv.in_channels == 2048 + 256
    assert preds[0].shape == (1, 1, 448, 448)


def test_baseline_448_without_transposed_conv():
    channels = (8, 8, 16, 16, 32, 8)
    head = TSDDHead(
        in_channels=channels,
        channels=8,
        fuse_channels=16,
        up_channels=8,
        use_transposed_conv=False,
        out_scale=1).eval()
    feats = _feats(channels=channels, img=448)
    with torch.no_grad():
        t_list, logits = head.decode(feats)
        preds = head(feats)
    assert [t.shape[2] for t in t_list] == [224, 112, 56, 28, 14]
    assert not any(
        isinstance(m.conv, torch.nn.ConvTranspose2d) for m in head.up_convs)
    assert all(p.shape == (1, 1, 448, 448) for p in preds)


def test_eval_final_only_and_predict_by_feat():
    head = TSDDHead(
        in_channels=(8, 8, 16, 16, 32, 8),
        channels=8,
        fuse_channels=16,
        up_channels=8,
        eval_final_only=True)
    feats = _feats(channels=(8, 8, 16, 16, 32, 8), img=64)
    assert len(head.train()(feats)) == 5
    head.eval()
    with torch.no_grad():
        preds = head(feats)
        out = head.predict_by_feat(preds, [dict(img_shape=(64, 64))])
    assert len(preds) == 1 and preds[0].shape == (1, 1, 128, 128)
    # not shrunk to img_shape: out_scale x img_shape
    assert out.shape == (1, 1, 128, 128)


def test_deep_supervision_weights(make_samples):
    head = TSDDHead(
        in_channels=(8, 8, 16, 16, 32, 8),
        channels=8,
        fuse_channels=16,
        up_channels=8)
    samples = make_samples(num=2, img_size=16, hr_size=32, soft=True)
    label = torch.stack([s.gt_sem_seg.data for s in samples])[:, 0]
    torch.manual_seed(0)
    # p_i at half the label size: resized to the label inside the loss
    preds = [torch.randn(2, 1, 16, 16) for _ in range(5)]
    losses = head.loss_by_feat(preds, samples)
    assert sorted(losses) == [f'loss_sod_p{i}' for i in range(1, 6)]
    ref = StructureLoss()
    weights = (1, 1, 0.5, 0.25, 0.125)  # eq. 15: 1, then 1 / 2^(i-2)
    total = 0
    for i, (p, w) in enumerate(zip(preds, weights), start=1):
        up = torch.nn.functional.interpolate(
            p, size=(32, 32), mode='bilinear', align_corners=True)
        expected = w * ref(up, label)
        assert losses[f'loss_sod_p{i}'].item() == pytest.approx(
            expected.item(), rel=1e-5)
        total += expected
    assert sum(losses.values()).item() == pytest.approx(total.item(), 1e-5)
    assert 'acc_seg' not in losses


def test_multiple_loss_entries_and_errors(make_samples):
    head = TSDDHead(
        in_channels=(8, 8, 16, 16, 32, 8),
        channels=8,
        fuse_channels=16,
        up_channels=8,
        side_weights=(1, 0, 0, 0, 0.5),
        loss_decode=[
            dict(type='StructureLoss', iou_weight=0, loss_name='loss_bce'),
            dict(type='StructureLoss', bce_weight=0, loss_name='loss_iou')
        ])
    samples = make_samples(num=1, img_size=16, hr_size=32)
    losses = head.loss_by_feat([torch.zeros(1, 1, 32, 32)] * 5, samples)
    assert sorted(losses) == [
        'loss_bce_p1', 'loss_bce_p5', 'loss_iou_p1', 'loss_iou_p5'
    ]
    with pytest.raises(ValueError, match='in_index'):
        head(_feats(channels=(8, 8, 16, 16, 32, 8), img=64)[:5])
    with pytest.raises(ValueError, match='side_weights'):
        TSDDHead(side_weights=(1, 1))
    with pytest.raises(ValueError, match='multiple_select'):
        TSDDHead(input_transform='resize_concat')

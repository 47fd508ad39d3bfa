# Copyright (c) mmrsod contributors. All rights reserved.
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.analysis import FlopAnalyzer, get_model_complexity_info
from mmengine.config import Config
from mmseg.registry import MODELS

from mmrsod.models import rgb_to_ycbcr

# the configs' one SOD normalisation (EORSSD statistics, 224 px input)
PREPROCESSOR = Config.fromfile(
    str(
        Path(__file__).resolve().parents[3] / 'configs' / '_base_' / 'models' /
        'sod_data_preprocessor.py')).sod_data_preprocessor.to_dict()
STRUCTURE_LOSS = dict(type='StructureLoss', loss_name='loss_sod')


def sral_cfg(sr_head=True, tfgm=True, **kwargs):
    """Small SRAL: SODResNet-18 + PPM + TSDD (+ ASRD + TFGM)."""
    cfg = dict(
        type='SRALSegmentor',
        data_preprocessor=PREPROCESSOR,
        backbone=dict(type='SODResNet', depth=18),
        neck=dict(type='PPMNeck', in_channels=512, channels=32),
        decode_head=dict(
            type='TSDDHead',
            in_channels=(64, 64, 128, 256, 512, 32),
            channels=16,
            fuse_channels=32,
            up_channels=16),
        sr_head=dict(
            type='ASRDHead',
            in_channels=(64, 32),
            in_index=(1, 5),
            low_channels=16,
            fuse_channels=(32, 16),
            mid_channels=16,
            up_channels=(16, 8, 8)) if sr_head else None,
        tfgm=dict(type='TFGMLoss') if tfgm else None)
    cfg.update(kwargs)
    return cfg


V1C_BACKBONE = dict(
    type='ResNetV1c',
    depth=18,
    out_indices=(0, 1, 2, 3),
    dilations=(1, 1, 2, 4),
    strides=(1, 2, 1, 1),
    contract_dilation=True)
V1C_ASRD = dict(
    type='ASRDHead',
    in_channels=(64, 512),
    in_index=(0, 3),
    low_channels=16,
    fuse_channels=(32, 16),
    mid_channels=16,
    up_channels=(16, 8, 8))
PSP_HEAD = dict(
    type='PSPHead',
    in_channels=512,
    in_index=3,
    channels=16,
    num_classes=2,
    out_channels=1,
    threshold=0.5,
    loss_decode=STRUCTURE_LOSS)
DLV3P_HEAD = dict(
    type='DepthwiseSeparableASPPHead',
    in_channels=512,
    in_index=3,
    channels=16,
    dilations=(1, 12, 24, 36),
    c1_in_channels=64,
    c1_channels=8,
    num_classes=2,
    out_channels=1,
    threshold=0.5,
    loss_decode=STRUCTURE_LOSS)


class CallCounter:
    """Counts forward calls of a module through a forward hook."""

    def __init__(self, module):
        self.calls = 0
        self.handle = module.register_forward_hook(self._hook)

    def _hook(self, *args):
        self.calls += 1


def test_loss_runs_every_part_once(make_samples):
    torch.manual_seed(0)
    model = MODELS.build(sral_cfg())
    model.train()
    inputs = torch.randn(2, 3, 112, 112)  # HR (label, gt_sr) at 224
    samples = make_samples(num=2, img_size=112, hr_size=224, soft=True)
    counters = {
        name: CallCounter(getattr(model, name))
        for name in ('backbone', 'neck', 'decode_head', 'sr_head', 'tfgm')
    }
    losses = model.loss(inputs, samples)
    assert all(c.calls == 1 for c in counters.values()), {
        k: c.calls
        for k, c in counters.items()
    }
    assert sorted(losses) == sorted(
        [f'decode.loss_sod_p{i}' for i in range(1, 6)] +
        ['sr.loss_sr', 'tfgm.loss_tfgm_similar', 'tfgm.loss_tfgm_consist'])
    loss, _ = model.parse_losses(losses)
    assert torch.isfinite(loss)
    loss.backward()
    for name in ('backbone', 'neck', 'decode_head', 'sr_head', 'tfgm'):
        grads = [
            p.grad for p in getattr(model, name).parameters()
            if p.grad is not None
        ]
        assert grads, f'no gradient reached {name}'


def test_predict_output_contract(make_samples):
    model = MODELS.build(sral_cfg()).eval()
    hooks = [CallCounter(model.sr_head), CallCounter(model.tfgm)]
    inputs = torch.randn(1, 3, 224, 224)
    samples = make_samples(num=1, ori_shape=(300, 400), with_sr=False)
    with torch.no_grad():
        results = model.predict(inputs, samples)
        tensor_out = model(inputs, mode='tensor')
        logits = model.encode_decode(inputs, [samples[0].metainfo])
    assert all(h.calls == 0 for h in hooks)
    prob = results[0].seg_logits.data
    pred = results[0].pred_sem_seg.data
    assert prob.shape == (1, 300, 400)
    assert 0 <= prob.min() and prob.max() <= 1
    assert pred.dtype == torch.long and pred.shape == (1, 300, 400)
    assert torch.equal(pred, (prob > 0.5).long())
    assert 'pred_sr' not in results[0]
    # the map is made at 448 (2 x 224), then resized to ori_shape
    assert logits.shape == (1, 1, 448, 448)
    assert len(tensor_out) == 5 and tensor_out[0].shape == (1, 1, 448, 448)
    expected = F.interpolate(
        logits,
        size=(300, 400),
        mode='bilinear',
        align_corners=model.align_corners).sigmoid()[0]
    assert torch.allclose(prob, expected, atol=1e-6)
    # without data samples: at out_scale x the input size
    with torch.no_grad():
        bare = model.predict(inputs)
    assert bare[0].seg_logits.shape == (448, 448)


def test_predict_with_sr(make_samples):
    model = MODELS.build(
        sral_cfg(test_cfg=dict(mode='whole', with_sr=True))).eval()
    tfgm_hook = CallCounter(model.tfgm)
    with torch.no_grad():
        results = model.predict(
            torch.randn(2, 3, 224, 224), make_samples(num=2))
    assert tfgm_hook.calls == 0
    for result in results:
        sr = result.pred_sr.data
        assert sr.shape == (3, 448, 448)
        assert 0 <= sr.min() and sr.max() <= 1


def test_flip_and_padding_are_undone(make_samples):
    model = MODELS.build(sral_cfg(sr_head=False, tfgm=False)).eval()
    inputs = torch.randn(1, 3, 224, 224)
    plain = make_samples(num=1, ori_shape=(224, 224), with_sr=False)
    flipped = make_samples(num=1, ori_shape=(224, 224), with_sr=False)
    flipped[0].set_metainfo(dict(flip=True, flip_direction='horizontal'))
    padded = make_samples(num=1, ori_shape=(200, 224), with_sr=False)
    padded[0].set_metainfo(dict(padding_size=[0, 0, 0, 24]))
    with torch.no_grad():
        a = model.predict(inputs, plain)[0].seg_logits.data
        b = model.predict(inputs, flipped)[0].seg_logits.data
        c = model.predict(inputs, padded)[0].seg_logits.data
        logits = model.encode_decode(inputs, None)
    # align_corners=True resizes (448 -> 224: source step 447/223) are
    # mirror-symmetric only up to the round-off of the source coordinates
    assert torch.allclose(a.flip(-1), b, atol=2e-5)
    # 24 input pixels of padding = 48 output pixels
    expected = F.interpolate(
        logits[..., :400, :],
        size=(200, 224),
        mode='bilinear',
        align_corners=model.align_corners)
    assert torch.allclose(c, expected.sigmoid()[0], atol=1e-6)


def test_out_map_at_network_size(make_samples):
    """test_cfg.with_out_map keeps the map before the ori_shape resize."""
    cfg = sral_cfg(sr_head=False, tfgm=False)
    cfg['test_cfg'] = dict(mode='whole', with_out_map=True)
    model = MODELS.build(cfg).eval()
    inputs = torch.randn(1, 3, 224, 224)
    padded = make_samples(num=1, ori_shape=(300, 400), with_sr=False)
    padded[0].set_metainfo(dict(padding_size=[0, 0, 0, 24]))
    with torch.no_grad():
        result = model.predict(inputs, padded)[0]
        logits = model.encode_decode(inputs, None)
    assert result.seg_logits.data.shape == (1, 300, 400)
    # 24 input pixels of padding = 48 output pixels, no resize
    assert torch.equal(result.out_map.data, logits[0, :, :400].sigmoid())
    flipped = make_samples(num=1, with_sr=False)
    flipped[0].set_metainfo(dict(flip=True, flip_direction='horizontal'))
    with pytest.raises(ValueError, match='flips'):
        model.predict(inputs, flipped)


def test_strip_matches_tsdd_only_params_and_flops():
    full = MODELS.build(sral_cfg()).eval()
    tsdd = MODELS.build(sral_cfg(sr_head=False, tfgm=False)).eval()

    def n_params(m):
        return sum(p.numel() for p in m.parameters())

    assert n_params(full) > n_params(tsdd)
    assert full.strip_auxiliary() is full
    assert full.sr_head is None and full.tfgm is None
    assert n_params(full) == n_params(tsdd)
    inputs = (torch.rand(1, 3, 64, 64), )
    info_full = get_model_complexity_info(
        full, inputs=inputs, show_table=False, show_arch=False)
    analyzer = FlopAnalyzer(tsdd, inputs)
    analyzer.unsupported_ops_warnings(False)
    analyzer.uncalled_modules_warnings(False)
    assert info_full['flops'] == analyzer.total() > 0
    assert info_full['params'] == n_params(tsdd)
    with pytest.raises(ValueError, match='sr_head'):
        full.test_cfg['with_sr'] = True
        full.predict(inputs[0])


@pytest.mark.parametrize(
    'head', [PSP_HEAD, DLV3P_HEAD], ids=['pspnet', 'deeplabv3plus'])
def test_wraps_mmseg_heads(head, make_samples):
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='SRALSegmentor',
            data_preprocessor=PREPROCESSOR,
            backbone=V1C_BACKBONE,
            decode_head=head,
            sr_head=V1C_ASRD,
            tfgm=dict(type='TFGMLoss')))
    # 112 -> 224 keeps the 2x ratio at a quarter of the cost
    losses = model.loss(
        torch.randn(2, 3, 112, 112),
        make_samples(num=2, img_size=112, hr_size=224))
    assert sorted(losses) == [
        'decode.loss_sod', 'sr.loss_sr', 'tfgm.loss_tfgm_consist',
        'tfgm.loss_tfgm_similar'
    ]
    loss, _ = model.parse_losses(losses)
    loss.backward()
    assert model.sr_head.conv_sr.weight.grad is not None
    model.eval()
    samples = make_samples(
        num=1, img_size=112, ori_shape=(300, 400), with_sr=False)
    with torch.no_grad():
        results = model.predict(torch.randn(1, 3, 112, 112), samples)
        logits = model.encode_decode(torch.randn(1, 3, 112, 112), None)
    assert results[0].seg_logits.shape == (300, 400)
    assert results[0].pred_sem_seg.data.dtype == torch.long
    assert logits.shape == (1, 1, 224, 224)


def test_input_residual_and_lr_ycbcr(make_samples):
    cfg = sral_cfg()
    cfg['sr_head'] = dict(cfg['sr_head'], input_residual=True)
    model = MODELS.build(cfg)
    rgb = torch.randint(0, 256, (3, 224, 224), dtype=torch.uint8)
    data = model.data_preprocessor(
        dict(inputs=[rgb[[2, 1, 0]]] * 2, data_samples=make_samples(num=2)),
        training=True)
    expected = rgb_to_ycbcr(rgb[None].float() / 255).repeat(2, 1, 1, 1)
    assert torch.allclose(model.lr_ycbcr(data['inputs']), expected, atol=1e-5)
    losses = model.loss(**data)
    assert torch.isfinite(losses['sr.loss_sr'])


def test_config_errors():
    with pytest.raises(ValueError, match='sr_head'):
        MODELS.build(sral_cfg(sr_head=False))
    with pytest.raises(ValueError, match='out_scale'):
        MODELS.build(sral_cfg(out_scale=1))
    with pytest.raises(ValueError, match='with_sr'):
        MODELS.build(
            sral_cfg(
                sr_head=False,
                tfgm=False,
                test_cfg=dict(mode='whole', with_sr=True)))
    with pytest.raises(ValueError, match='whole'):
        MODELS.build(sral_cfg(test_cfg=dict(mode='slide')))


@pytest.mark.parametrize('seed', range(6))
def test_random_flip_rotate_is_undone_at_test_time(seed):
    """Logits augmented by RandomFlipRotate (then padded) map back exactly.

    ``out_scale`` 2: a (4, 6) input gives (8, 12) logits; with ``ori_shape``
    (8, 12) the resize is the identity, so the result must equal the
    sigmoid of the un-augmented logits.
    """
    from mmseg.structures import SegDataSample

    from mmrsod.datasets.transforms import RandomFlipRotate
    model = MODELS.build(sral_cfg(sr_head=False, tfgm=False)).eval()
    gen = torch.Generator().manual_seed(seed)
    logits = torch.randn(1, 1, 8, 12, generator=gen)
    np.random.seed(seed)
    results = RandomFlipRotate(rotate_mode='exact').transform(
        dict(img=logits[0, 0].numpy().copy(), seg_fields=[]))
    aug = torch.from_numpy(results['img'])[None, None]
    # the data preprocessor pads 1 input pixel at the bottom (2 output px)
    aug = F.pad(aug, (0, 0, 0, 2), value=100.0)
    sample = SegDataSample(
        metainfo=dict(
            ori_shape=(8, 12),
            padding_size=[0, 0, 0, 1],
            flip=results['flip'],
            flip_direction=results['flip_direction'],
            rotate=results['rotate']))
    out = model.postprocess_result(aug, [sample])[0]
    assert torch.allclose(out.seg_logits.data, logits[0].sigmoid())
    assert out.pred_sem_seg.data.dtype == torch.long
    # the caller's metainfo is left as it was
    assert sample.padding_size == [0, 0, 0, 1]
    assert sample.flip == results['flip']


def test_unsupported_flip_direction_and_head_scale():
    from mmseg.structures import SegDataSample
    model = MODELS.build(sral_cfg(sr_head=False, tfgm=False)).eval()
    assert model.out_scale == model.decode_head.out_scale == 2
    sample = SegDataSample(
        metainfo=dict(
            ori_shape=(8, 8), flip=True, flip_direction=('horizontal', )))
    with pytest.raises(ValueError, match='flip_direction'):
        model.postprocess_result(torch.zeros(1, 1, 8, 8), [sample])
    # the authors' size-keeping rotation of a non-square image is lossy
    sample = SegDataSample(
        metainfo=dict(ori_shape=(8, 12), rotate=90, rotate_mode='canvas'))
    with pytest.raises(ValueError, match='cannot be undone'):
        model.postprocess_result(torch.zeros(1, 1, 8, 8), [sample])
    # heads without out_scale (mmseg's) take model.out_scale, default 2
    psp = dict(
        type='SRALSegmentor', backbone=V1C_BACKBONE, decode_head=PSP_HEAD)
    assert MODELS.build(psp).out_scale == 2
    assert MODELS.build(dict(psp, out_scale=1)).out_scale == 1

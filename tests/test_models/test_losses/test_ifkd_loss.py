# Copyright (c) mmrsod contributors. All rights reserved.
"""IFKDLoss: the EDE -> FDR -> HSM -> losses composition, its switches,
the MobileSAM cache and the encoder kept out of the state dict."""
import pytest
import torch
from mmdet.models.data_preprocessors import DetDataPreprocessor
from mmdet.structures import DetDataSample
from mmengine.registry import DefaultScope

from mmrsod.models.detectors.distillation_detector import DistillContext
from mmrsod.models.losses import (HyperbolicSimilarityMask, IFKDFeatureLoss,
                                  IFKDHeadLoss, IFKDLoss, frs_richness_mask,
                                  raw_rgb_images)
from mmrsod.models.utils import external_disturbance
from mmrsod.testing import tiny_tiny_vit_cfg
from mmrsod.utils import ConfigError

TINY = tiny_tiny_vit_cfg(neck_channels=4)
C = 4  # channels of the toy FPN (= the tiny encoder's neck)
PAD = (32, 48)  # padded batch (H, W)
SHAPES = [(32, 48), (24, 40)]  # img_shape of the two images
LEVELS = [(8, 12), (4, 6)]  # two FPN levels, strides 4 and 8
MEAN = [123.675, 116.28, 103.53]
STD = [58.395, 57.12, 57.375]


@pytest.fixture(autouse=True)
def mmdet_scope():
    with DefaultScope.overwrite_default_scope('mmdet'):
        yield


def preprocessor(bgr_to_rgb=True):
    return DetDataPreprocessor(mean=MEAN, std=STD, bgr_to_rgb=bgr_to_rgb)


def make_ctx(seed=0, flips=(False, True)):
    """Two images of different sizes in a padded batch, random maps."""
    g = torch.Generator().manual_seed(seed)
    raw = torch.randint(0, 256, (2, 3, *PAD), generator=g).float()
    pre = preprocessor()
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    # the detector input: RGB normalised; padding 0 after normalisation
    inputs = (raw - mean) / std
    inputs[1, :, SHAPES[1][0]:] = 0
    inputs[1, :, :, SHAPES[1][1]:] = 0
    samples = []
    for i, (h, w) in enumerate(SHAPES):
        meta = dict(
            img_path=f'/data/img_{i}.png',
            img_shape=(h, w),
            batch_input_shape=PAD,
            flip=flips[i],
            flip_direction='horizontal' if flips[i] else None)
        samples.append(DetDataSample(metainfo=meta))

    def rand(*shape, grad=False):
        return torch.randn(*shape, generator=g).requires_grad_(grad)

    student = tuple(rand(2, C, h, w, grad=True) for h, w in LEVELS)
    teacher = tuple(rand(2, C, h, w) for h, w in LEVELS)
    return DistillContext(
        student_feats=student,
        teacher_feats=teacher,
        student_feats_adapted=student,
        student_cls=[rand(2, 3, h, w, grad=True) for h, w in LEVELS],
        teacher_cls=[rand(2, 3, h, w) for h, w in LEVELS],
        data_samples=samples,
        batch_inputs=inputs,
        img_paths=[s.img_path for s in samples],
        data_preprocessor=pre), raw


def fdr_cfg(**kwargs):
    cfg = dict(
        type='FrequencyDomainReconstruction',
        num_levels=len(LEVELS),
        channels=C,
        low_freq_ratio=0.5,
        filter_size=(4, 4))
    cfg.update(kwargs)
    return cfg


def ede_cfg(**kwargs):
    cfg = dict(allow_random=True, encoder=TINY, img_size=64)
    cfg.update(kwargs)
    return cfg


def test_raw_rgb_images_inverts_the_preprocessor():
    raw_bgr = torch.randint(0, 256, (1, 3, 5, 7)).float()
    for bgr_to_rgb in (True, False):
        pre = preprocessor(bgr_to_rgb)
        batch = pre(dict(inputs=[raw_bgr[0].byte()]), False)['inputs']
        rgb = raw_rgb_images(batch, pre)
        torch.testing.assert_close(rgb, raw_bgr.flip(1), atol=1e-3, rtol=0)
    with pytest.raises(ValueError, match='mean/std'):
        raw_rgb_images(batch, None)


def test_no_switches_is_plain_feature_imitation_by_hand():
    """EDE, FDR, HSM off: alpha * sum_l mean_{b,h,w} sum_c (s - t)^2 and
    beta * sum_l mean_{b,h,w} sum_c BCE(s, sigmoid(t))."""
    s = (torch.zeros(1, 2, 2, 2, requires_grad=True), )
    t = (torch.ones(1, 2, 2, 2), )
    logit_s = [torch.zeros(1, 1, 2, 2, requires_grad=True)]
    logit_t = [torch.zeros(1, 1, 2, 2)]
    ctx = DistillContext(s, t, s, logit_s, logit_t, [], torch.zeros(1))
    loss = IFKDLoss(ede=None, fdr=None, hsm=None)(ctx)
    # (0 - 1)^2 summed over 2 channels = 2 at every location
    assert loss['loss_ifkd_feat'].item() == pytest.approx(0.06 * 2)
    # BCE(logit 0, target 0.5) = log 2
    assert loss['loss_ifkd_head'].item() == pytest.approx(
        0.5 * torch.log(torch.tensor(2.)).item())
    no_head = IFKDLoss(ede=None, fdr=None, hsm=None, loss_head=None)(ctx)
    assert set(no_head) == {'loss_ifkd_feat'}


def test_fdr_hsm_composition_matches_the_pieces():
    ctx, _ = make_ctx()
    torch.manual_seed(0)
    loss = IFKDLoss(fdr=fdr_cfg(), hsm=dict(c=1.0, normalize='mean'))
    with torch.no_grad():
        for f in loss.fdr.filters:  # a non-trivial filter
            f.uniform_(0.5, 1.5)
    out = loss(ctx)
    masks = frs_richness_mask(ctx.teacher_cls)
    target = loss.fdr(list(ctx.teacher_feats), masks, 0.5)
    weights = HyperbolicSimilarityMask(1.0,
                                       'mean')(list(ctx.student_feats_adapted),
                                               target)
    feat = IFKDFeatureLoss(0.06)(list(ctx.student_feats_adapted), target,
                                 weights)
    head = IFKDHeadLoss(0.5)(ctx.student_cls, ctx.teacher_cls, weights)
    torch.testing.assert_close(out['loss_ifkd_feat'], feat)
    torch.testing.assert_close(out['loss_ifkd_head'], head)
    # FDR really changed the target and HSM the weights
    plain = IFKDLoss(fdr=None, hsm=None)(ctx)
    assert not torch.allclose(plain['loss_ifkd_feat'], feat)
    # gradients: student maps, student logits and the spectral filters
    (out['loss_ifkd_feat'] + out['loss_ifkd_head']).backward()
    assert all(f.grad is not None and f.grad.abs().sum() > 0
               for f in loss.fdr.filters)
    assert ctx.student_feats[0].grad.abs().sum() > 0
    assert ctx.student_cls[0].grad.abs().sum() > 0
    assert ctx.teacher_feats[0].grad is None


def test_fdr_on_student_uses_one_r_for_both_sides(monkeypatch):
    ctx, _ = make_ctx()
    loss = IFKDLoss(
        fdr=fdr_cfg(ratio_range=(0.2, 0.9)), fdr_on_student=True, hsm=None)
    calls = []

    def fixed_ratio():
        calls.append(1)
        return 0.3

    monkeypatch.setattr(loss.fdr, 'sample_ratio', fixed_ratio)
    out = loss(ctx)
    assert len(calls) == 1
    masks = frs_richness_mask(ctx.teacher_cls)
    fdr = loss.fdr
    expected = IFKDFeatureLoss(0.06)(fdr(
        list(ctx.student_feats_adapted), masks, 0.3),
                                     fdr(list(ctx.teacher_feats), masks, 0.3))
    torch.testing.assert_close(out['loss_ifkd_feat'], expected)
    with pytest.raises(ConfigError, match='fdr_on_student'):
        IFKDLoss(fdr=None, fdr_on_student=True)


def test_ede_adds_sigmoid_sam_features_on_the_image_part():
    ctx, raw = make_ctx()
    loss = IFKDLoss(ede=ede_cfg(), fdr=None, hsm=None)
    disturbed = loss.disturbed_teacher(ctx)
    enc = loss.sam_encoder
    sams, valid = [], []
    for i, (h, w) in enumerate(SHAPES):
        sams.append(enc(raw[i:i + 1, :, :h, :w]))
        valid.append(enc.valid_size(h, w))
    expected = external_disturbance(
        torch.cat(sams), valid, SHAPES, PAD, LEVELS)
    for level, (d, t) in enumerate(zip(disturbed, ctx.teacher_feats)):
        torch.testing.assert_close(d, t + expected[level], atol=1e-4, rtol=0)
    # image 1 covers 24 x 40 of 32 x 48: at stride 4 rows 6-7 and
    # columns 10-11 of level 0 are padding, left undisturbed
    torch.testing.assert_close(disturbed[0][1, :, 6:],
                               ctx.teacher_feats[0][1, :, 6:])
    torch.testing.assert_close(disturbed[0][1, :, :, 10:],
                               ctx.teacher_feats[0][1, :, :, 10:])
    assert (disturbed[0][1, :, :6, :10] - ctx.teacher_feats[0][1, :, :6, :10] >
            0).all()  # sigmoid > 0 on the image
    # the full loss runs EDE first: EDE on vs off differ
    on = loss(ctx)['loss_ifkd_feat']
    off = IFKDLoss(ede=None, fdr=None, hsm=None)(ctx)['loss_ifkd_feat']
    assert not torch.allclose(on, off)


def test_ede_cache_hit_miss_and_flip_keys(tmp_path, monkeypatch):
    ctx, _ = make_ctx()
    loss = IFKDLoss(ede=ede_cfg(cache_dir=str(tmp_path)), fdr=None, hsm=None)
    first = loss.disturbed_teacher(ctx)
    files = sorted(p for p in tmp_path.rglob('*.pt'))
    assert len(files) == 2  # one per (image, flip, size)
    # hits: the encoder is not called again
    monkeypatch.setattr(
        loss.sam_encoder, 'forward', lambda *a:
        (_ for _ in ()).throw(AssertionError('encoded a hit')))
    second = loss.disturbed_teacher(ctx)
    for a, b in zip(first, second):
        torch.testing.assert_close(a, b)
    # another flip state of image 0 is another entry (a miss)
    flipped, _ = make_ctx(flips=(True, True))
    with pytest.raises(AssertionError, match='encoded a hit'):
        loss.disturbed_teacher(flipped)


def test_ede_cached_equals_fresh_up_to_fp16(tmp_path):
    ctx, _ = make_ctx()
    fresh = IFKDLoss(ede=ede_cfg(), fdr=None, hsm=None)
    cached = IFKDLoss(ede=ede_cfg(cache_dir=str(tmp_path)), fdr=None, hsm=None)
    cached.sam_encoder.load_state_dict(fresh.sam_encoder.state_dict())
    cached.cache = type(cached.cache)(str(tmp_path),
                                      cached.sam_encoder.fingerprint())
    for a, b in zip(
            fresh.disturbed_teacher(ctx), cached.disturbed_teacher(ctx)):
        # sigmoid' <= 1/4: fp16 rounding (2^-11 relative) of the embedding
        torch.testing.assert_close(a, b, atol=2e-3, rtol=0)


def test_encoder_outside_state_dict_and_moved(tmp_path):
    loss = IFKDLoss(ede=ede_cfg(), fdr=fdr_cfg())
    keys = set(loss.state_dict())
    assert keys == {f'fdr.filters.{i}' for i in range(len(LEVELS))}
    assert all(not k.startswith('sam_encoder')
               for k, _ in loss.named_parameters())
    loss.train()
    assert not loss.sam_encoder.training
    loss.to(torch.float64)
    assert next(loss.sam_encoder.parameters()).dtype == torch.float64
    assert loss.fdr.filters[0].dtype == torch.float64


def test_config_errors():
    with pytest.raises(ConfigError, match='unknown ede keys'):
        IFKDLoss(ede=dict(allow_random=True, chekpoint='x.pt'))
    with pytest.raises(ConfigError, match='mobile_sam.pt'):
        IFKDLoss(ede=dict(encoder=TINY, img_size=64))  # no checkpoint
    with pytest.raises(
            ConfigError,
            match='IFKDLoss ede.checkpoint: .*not found: .*nope.pt'):
        IFKDLoss(ede=dict(checkpoint='nope.pt'))

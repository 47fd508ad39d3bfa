# Copyright (c) mmrsod contributors. All rights reserved.
"""Every base model config builds and runs ``loss`` + ``predict``."""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmseg.registry import MODELS

CONFIG_DIR = Path(__file__).resolve().parents[3] / 'configs' / '_base_' / \
    'models'
# name: (input size, output size, has SR head)
CONFIGS = {
    'sral_r50.py': (224, 448, True),
    'sral_r18.py': (224, 448, True),
    'sral-paper_r50.py': (224, 448, True),
    'sral-baseline_r50.py': (448, 448, False),
    'pspnet_r50-d8-sod.py': (224, 448, False),
    'deeplabv3plus_r50-d8-sod.py': (224, 448, False),
    # the SRAL versions: the plain model plus the ASRD fragment and TFGM,
    # as configs/sral/sral-{pspnet,deeplabv3plus}_* compose them
    'pspnet_r50-d8-sod.py+asrd_r50-d8.py': (224, 448, True),
    'deeplabv3plus_r50-d8-sod.py+asrd_r50-d8.py': (224, 448, True),
}
# files that hold a piece of a model config, not a model (the MobileNetV2
# backbone + FPN inputs are a detection piece; tests/test_configs builds every
# detection config that uses it)
FRAGMENTS = ('sod_data_preprocessor.py', 'sod_r50-d8.py', 'asrd_r50-d8.py',
             'mobilenetv2_fpn.py')


def _load(name: str) -> Config:
    """Load a base model config; ``'a.py+asrd_r50-d8.py'`` adds ASRD and
    TFGM to ``a.py`` as the ``sral-`` configs do."""
    base, *extra = name.split('+')
    cfg = Config.fromfile(str(CONFIG_DIR / base))
    if extra:
        frag = Config.fromfile(str(CONFIG_DIR / extra[0]))
        cfg.model.sr_head = frag.asrd_r50_d8
        cfg.model.tfgm = dict(type='TFGMLoss')
    return cfg


def test_every_config_is_covered():
    named = {part for name in CONFIGS for part in name.split('+')}
    assert sorted(p.name
                  for p in CONFIG_DIR.glob('*.py')) == sorted(named
                                                              | set(FRAGMENTS))


def _shrink(model_cfg):
    """Keep the structure, make it cheap: ResNet-18, thin decoders."""
    model_cfg.pop('pretrained', None)
    model_cfg.backbone.pop('init_cfg', None)
    if model_cfg.decode_head.type == 'TSDDHead':
        model_cfg.decode_head.update(
            fuse_channels=32, up_channels=16, channels=16)
    sr_head = model_cfg.get('sr_head')
    if sr_head is not None:
        sr_head.update(
            fuse_channels=tuple(
                min(c, 32) for c in sr_head.get('fuse_channels', (256, 128))),
            mid_channels=16,
            up_channels=tuple(
                min(c, 16) for c in sr_head.get('up_channels', (64, 32, 16))))
    if model_cfg.backbone.depth != 50:
        return model_cfg
    model_cfg.backbone.depth = 18
    head, sr_head = model_cfg.decode_head, model_cfg.get('sr_head')
    if head.type == 'TSDDHead':  # SODResNet + PPMNeck encoder
        ppm = model_cfg.neck.channels
        model_cfg.neck.in_channels = 512
        head.in_channels = (64, 64, 128, 256, 512, ppm)
        if sr_head is not None:
            sr_head.in_channels = (64, ppm)
    else:  # mmseg ResNetV1c-D8 encoder
        head.in_channels = 512
        head.channels = 32
        if 'c1_in_channels' in head:
            head.c1_in_channels = 64
        if sr_head is not None:
            sr_head.in_channels = (64, 512)
    return model_cfg


@pytest.mark.parametrize('name', sorted(CONFIGS))
def test_config_builds_and_runs(name, make_samples):
    in_size, out_size, with_sr = CONFIGS[name]
    cfg = _load(name)
    assert cfg.model.type == 'SRALSegmentor'
    assert cfg.model.data_preprocessor.size == (in_size, in_size)
    assert cfg.model.data_preprocessor.seg_pad_val == 0
    assert cfg.model.decode_head.out_channels == 1
    assert cfg.model.decode_head.loss_decode.type == 'StructureLoss'
    assert (cfg.model.get('sr_head') is not None) == with_sr
    assert (cfg.model.get('tfgm') is not None) == with_sr
    if with_sr:
        assert cfg.model.sr_head.loss_weight == 100
    model = MODELS.build(_shrink(cfg.model))
    samples = make_samples(
        num=2, img_size=in_size, hr_size=out_size, with_sr=with_sr)
    torch.manual_seed(0)
    model.train()  # batch 2: BN after the 1x1 pooling needs > 1 value
    losses = model.loss(torch.randn(2, 3, in_size, in_size), samples)
    assert losses and all(torch.isfinite(v) for v in losses.values())
    assert any(k.startswith('sr.') for k in losses) == with_sr
    model.eval()
    with torch.no_grad():
        results = model.predict(
            torch.randn(1, 3, in_size, in_size),
            make_samples(num=1, ori_shape=(300, 400), with_sr=False))
    assert results[0].seg_logits.shape == (300, 400)


def test_sral_r50_deploys_as_tsdd_r50():
    """Stripped SRAL-R50 has the parameters of the TSDD-only R50 config.

    (FLOPs equality is checked on a small model in test_sral_segmentor.py.)
    """
    models = []
    for path in (CONFIG_DIR / 'sral_r50.py', CONFIG_DIR.parents[1] / 'sral' /
                 'sral-tsdd_r50_1xb8-100e_eorssd.py'):
        cfg = Config.fromfile(str(path))
        cfg.model.backbone.pop('init_cfg', None)
        models.append(MODELS.build(cfg.model))
    sral, tsdd = models
    names = sorted(k for k, _ in tsdd.named_parameters())
    assert len(list(sral.parameters())) > len(names)
    sral.strip_auxiliary()
    assert sorted(k for k, _ in sral.named_parameters()) == names
    assert sum(p.numel()
               for p in sral.parameters()) == sum(p.numel()
                                                  for p in tsdd.parameters())


# (sr_head kept, tfgm kept): full SRAL, TSDD+ASRD (no TFGM), decoder only
VARIANTS = {
    'full': (True, True),
    'no-tfgm': (True, False),
    'no-sr': (False, False)
}


@pytest.mark.parametrize('name,variant',
                         [(name, variant) for name in sorted(CONFIGS)
                          for variant in sorted(VARIANTS)
                          if CONFIGS[name][2] or not VARIANTS[variant][0]])
def test_every_parameter_gets_a_gradient(name, variant, make_samples):
    """DDP (without find_unused_parameters) fails at the second iteration
    on a parameter outside the loss graph: every config family, with and
    without the SR head and TFGM, must train all of its parameters."""
    keep_sr, keep_tfgm = VARIANTS[variant]
    in_size, out_size, _ = CONFIGS[name]
    cfg = _load(name)
    if not keep_sr:
        cfg.model.sr_head = None
    if not keep_tfgm:
        cfg.model.tfgm = None
    model = MODELS.build(_shrink(cfg.model))
    assert model.with_sr_head == keep_sr and model.with_tfgm == keep_tfgm
    if keep_sr:
        assert hasattr(model.sr_head, 'conv_feat') == keep_tfgm
    samples = make_samples(
        num=2, img_size=in_size // 4, hr_size=out_size // 4, with_sr=keep_sr)
    torch.manual_seed(0)
    model.train()
    losses = model.loss(torch.randn(2, 3, in_size // 4, in_size // 4), samples)
    sum(losses.values()).backward()
    unused = [
        n for n, p in model.named_parameters()
        if p.requires_grad and p.grad is None
    ]
    assert unused == []


def test_sr_head_with_feat_follows_tfgm():
    cfg = Config.fromfile(str(CONFIG_DIR / 'sral_r18.py'))
    cfg.model.tfgm = None
    cfg.model.sr_head.with_feat = True
    with pytest.raises(ValueError, match='with_feat'):
        MODELS.build(_shrink(cfg.model))

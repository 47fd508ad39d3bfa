# Copyright (c) mmrsod contributors. All rights reserved.
"""Every SRAL config loads, inherits cleanly and builds its model and
pipelines; the ablation configs differ from the full model exactly where
the paper's tables say."""
from pathlib import Path

import pytest
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.registry import init_default_scope

import mmrsod  # noqa: F401

CONFIG_DIR = Path(__file__).resolve().parents[2] / 'configs' / 'sral'
CONFIGS = sorted(p.name for p in CONFIG_DIR.glob('*.py'))

FULL_EORSSD = 'sral_r50_1xb8-100e_eorssd.py'


def _load(name: str) -> Config:
    return Config.fromfile(str(CONFIG_DIR / name))


def test_configs_found():
    assert len(CONFIGS) >= 30
    for ds in ('orssd', 'eorssd', 'orsi4199'):
        for stem in ('sral_r50_1xb8-100e', 'sral-tsdd_r50_1xb8-100e',
                     'sral-tsdd-asrd_r50_1xb8-100e',
                     'sral-baseline448_r50_1xb8-100e',
                     'sral-pspnet_r50-d8_1xb8-100e', 'pspnet_r50-d8_1xb8-100e',
                     'sral-deeplabv3plus_r50-d8_1xb8-100e',
                     'deeplabv3plus_r50-d8_1xb8-100e'):
            assert f'{stem}_{ds}.py' in CONFIGS


@pytest.mark.parametrize('name', CONFIGS)
def test_config_builds(name):
    cfg = _load(name)
    init_default_scope(cfg.default_scope)
    from mmseg.registry import MODELS
    assert cfg.default_scope == 'mmseg'
    assert 'mmrsod.models' in cfg.custom_imports['imports']
    # no download while testing
    if cfg.model.backbone.get('init_cfg'):
        cfg.model.backbone.init_cfg = None
    cfg.model.pop('pretrained', None)
    model = MODELS.build(cfg.model)
    assert type(model).__name__ == cfg.model.type == 'SRALSegmentor'
    for loader in ('train_dataloader', 'test_dataloader'):
        Compose(cfg[loader].dataset.pipeline)
    size = tuple(cfg.model.data_preprocessor.size)
    types = [t['type'] for t in cfg.train_dataloader.dataset.pipeline]
    if 'demo' in name:  # half resolution for CPU: 128 -> 256
        assert size == (128, 128) and 'GenerateLRInput' in types
    elif 'baseline448' in name:
        assert size == (448, 448) and 'GenerateLRInput' not in types
        assert model.out_scale == 1 and model.sr_head is None
    else:
        assert size == (224, 224) and 'GenerateLRInput' in types
        assert model.out_scale == 2


def test_ablations_differ_as_in_the_paper():
    full = _load('sral_r50_1xb8-100e_eorssd.py')
    tsdd = _load('sral-tsdd_r50_1xb8-100e_eorssd.py')
    asrd = _load('sral-tsdd-asrd_r50_1xb8-100e_eorssd.py')
    assert full.model.sr_head.type == 'ASRDHead'
    assert full.model.tfgm.type == 'TFGMLoss'
    assert full.model.sr_head.loss_weight == 100.0
    assert full.model.tfgm.loss_weight == 1.0
    assert 'warmup_iters' not in full.model.sr_head
    # the authors' weight-1 first epoch: a hook, counted in epochs
    assert dict(
        type='SRLossWarmupHook', warmup_epochs=1,
        warmup_loss_weight=1.0) in full.custom_hooks
    assert full.model.tfgm.batch_reduction == 'mean'
    assert full.model.tfgm.reference_batch_size == 8
    assert full.sync_bn == 'torch'
    assert tsdd.model.sr_head is None and tsdd.model.tfgm is None
    assert asrd.model.sr_head.type == 'ASRDHead' and asrd.model.tfgm is None
    for cfg in (full, tsdd, asrd):
        assert cfg.optim_wrapper.optimizer == dict(
            type='SGD', lr=0.002, momentum=0.9, weight_decay=5e-4)
        assert cfg.train_dataloader.batch_size == 8
        assert cfg.train_cfg.max_epochs == 100
        assert cfg.param_scheduler[0]['power'] == 0.9
    lsr = _load('sral-tsdd-asrd-lsr10_r50_1xb8-100e_orsi4199.py')
    assert lsr.model.sr_head.loss_weight == 10.0 and lsr.model.tfgm is None
    assert not _load(
        'sral-similar-only_r50_1xb8-100e_orsi4199.py').model.tfgm.use_consist
    assert not _load(
        'sral-consist-only_r50_1xb8-100e_orsi4199.py').model.tfgm.use_similar
    psp = _load('pspnet_r50-d8_1xb8-100e_eorssd.py')
    assert psp.model.decode_head.type == 'PSPHead'
    assert psp.model.get('sr_head') is None
    assert psp.model.get('tfgm') is None
    assert _load('sral-pspnet_r50-d8_1xb8-100e_eorssd.py'
                 ).model.sr_head.type == 'ASRDHead'


def test_user_config_can_inherit_and_override(tmp_path):
    user = tmp_path / 'my_sral.py'
    user.write_text(f"_base_ = ['{(CONFIG_DIR / FULL_EORSSD).as_posix()}']\n"
                    'model = dict(decode_head=dict(channels=32), tfgm=None)\n'
                    'train_dataloader = dict(batch_size=4)\n')
    cfg = Config.fromfile(str(user))
    assert cfg.model.decode_head.channels == 32
    assert cfg.model.decode_head.type == 'TSDDHead'
    assert cfg.model.tfgm is None
    assert cfg.train_dataloader.batch_size == 4
    assert cfg.train_dataloader.dataset.layout == 'eorssd'


def test_normalisation_is_defined_once():
    """Every SOD model config takes the one sod_data_preprocessor."""
    frag = Config.fromfile(
        str(CONFIG_DIR.parent / '_base_' / 'models' /
            'sod_data_preprocessor.py')).sod_data_preprocessor
    for name in CONFIGS:
        dp = _load(name).model.data_preprocessor
        assert dp.mean == frag.mean and dp.std == frag.std, name
    text = '\n'.join(p.read_text() for p in CONFIG_DIR.parent.rglob('*.py'))
    assert text.count('mean=[87.0, 96.85, 91.37]') == 1


def test_baselines_are_parents_of_the_methods():
    """The plain PSPNet/DeepLabv3+ configs are the parents; the SRAL ones
    add ASRD and TFGM and change nothing else of the model."""
    for head in ('pspnet', 'deeplabv3plus'):
        for ds in ('orssd', 'eorssd', 'orsi4199'):
            plain = _load(f'{head}_r50-d8_1xb8-100e_{ds}.py')
            sral = _load(f'sral-{head}_r50-d8_1xb8-100e_{ds}.py')
            text = (CONFIG_DIR /
                    f'sral-{head}_r50-d8_1xb8-100e_{ds}.py').read_text()
            assert f"'./{head}_r50-d8_1xb8-100e_{ds}.py'" in text
            assert plain.model.get('sr_head') is None
            assert sral.model.sr_head.type == 'ASRDHead'
            assert sral.model.tfgm.type == 'TFGMLoss'
            a, b = dict(plain.model), dict(sral.model)
            for key in ('sr_head', 'tfgm'):
                a.pop(key, None)
                b.pop(key, None)
            assert a == b


def test_demo_pipelines_are_the_base_ones_at_256():
    demo = _load('sral_r18_1xb4-300iter_demo.py')
    base = Config.fromfile(
        str(CONFIG_DIR.parent / '_base_' / 'datasets' / 'sod_sral.py'))
    for split, pipe in (('train', base.train_pipeline), ('test',
                                                         base.test_pipeline)):
        loader = demo[f'{split}_dataloader']
        expected = [
            dict(t, scale=256) if t['type'] == 'SODResize' else dict(t)
            for t in pipe
        ]
        assert [dict(t) for t in loader.dataset.pipeline] == expected

# Copyright (c) mmrsod contributors. All rights reserved.
"""configs/sdconet: names, the switch values of every ablation, the
schedule, the gradient-routing settings, the DOTA-v1.5/HRRSD data, and
(with the SDCoNet model classes) that every model builds and computes its
losses on a tiny input."""
import copy
import re
from pathlib import Path
from typing import Dict

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

import mmrsod  # noqa: F401

CONFIG_ROOT = Path(__file__).resolve().parents[2] / 'configs'
SDCONET = CONFIG_ROOT / 'sdconet'
DATA_BASES = {
    'nwpu': CONFIG_ROOT / '_base_' / 'datasets' / 'nwpu_vhr10_lr2x.py',
    'dota15': CONFIG_ROOT / '_base_' / 'datasets' / 'dota15_split_lr2x.py',
    'hrrsd': CONFIG_ROOT / '_base_' / 'datasets' / 'hrrsd_split_lr2x.py',
}
DATA_KEYS = ('train_dataloader', 'val_dataloader', 'test_dataloader',
             'val_evaluator', 'test_evaluator')
S = '_swin-t_1xb2-36e_'
CASCADE_NWPU = [
    'cascade-rcnn_swin-t_fpn_1xb2-36e_nwpu-lr2x.py',
    'sdconet-sr_cascade-rcnn_swin-t_fpn_1xb2-36e_nwpu-lr2x.py'
]
CASCADE_DOTA = [
    'cascade-rcnn_swin-t_fpn_1xb2-36e_dota15-lr2x.py',
    'sdconet-sr_cascade-rcnn_swin-t_fpn_1xb2-36e_dota15-lr2x.py'
]
# the DINO-family configs: name -> the model switches it must have
# (sal = saliency head, sr = SR head, level / layer filter ratios,
# bg = background embedding, alpha = (value, learnable))
LEVEL = (0.6, 0.8, 1.0, 1.0)
LAYER = (1.0, 0.8, 0.6, 0.6, 0.4, 0.2)
FULL = dict(
    sal=True, sr=True, level=LEVEL, layer=LAYER, bg=True, alpha=(0.5, True))
OFF = dict(sal=False, sr=False, level=None, layer=None, bg=False, alpha=None)
SWITCHES: Dict[str, dict] = {
    f'dino-4scale{S}nwpu-lr2x.py':
    OFF,
    f'sdconet{S}nwpu-lr2x.py':
    FULL,
    f'sdconet-sal{S}nwpu-lr2x.py':
    dict(FULL, sr=False),
    f'sdconet-sr{S}nwpu-lr2x.py':
    dict(OFF, sr=True),
    f'sdconet-alpha-fixed{S}nwpu-lr2x.py':
    dict(FULL, alpha=(0.5, False)),
    f'sdconet-alpha-none{S}nwpu-lr2x.py':
    dict(FULL, alpha=(1.0, False)),
    f'sdconet-filter-none{S}nwpu-lr2x.py':
    dict(FULL, level=None, layer=None, bg=False),
    f'sdconet-filter-layer{S}nwpu-lr2x.py':
    dict(FULL, level=None, bg=False),
    f'sdconet-filter-scale{S}nwpu-lr2x.py':
    dict(FULL, layer=None),
    f'dino-4scale{S}dota15-lr2x.py':
    OFF,
    f'sdconet{S}dota15-lr2x.py':
    FULL,
    f'sdconet-sr{S}dota15-lr2x.py':
    dict(OFF, sr=True),
    f'dino-4scale{S}hrrsd-lr2x.py':
    OFF,
    f'sdconet{S}hrrsd-lr2x.py':
    FULL,
}
EXPECTED = sorted(list(SWITCHES) + CASCADE_NWPU + CASCADE_DOTA)
NUM_CLASSES = {'nwpu': 10, 'dota15': 16, 'hrrsd': 13}
LR_SIZE = {'nwpu': 256, 'dota15': 512, 'hrrsd': 512}
NAME = re.compile(r'^(?P<method>[a-z0-9-]+(_cascade-rcnn)?)_'
                  r'(?P<backbone>swin-t)(_fpn)?_(?P<sched>1xb2-36e)_'
                  r'(?P<data>nwpu|dota15|hrrsd)-lr2x\.py$')
HAS_CASCADE_NWPU = all((SDCONET / n).is_file() for n in CASCADE_NWPU)
needs_cascade = pytest.mark.skipif(
    not HAS_CASCADE_NWPU,
    reason='the Cascade Swin-T NWPU configs (another branch of issue #8) '
    'are not in this checkout yet')


def _load(name: str) -> Config:
    return Config.fromfile(str(SDCONET / name))


def _dataset_of(name: str) -> str:
    return NAME.match(name).group('data')


def _all_configs():
    return [
        pytest.param(n, marks=needs_cascade) if 'cascade' in n else n
        for n in EXPECTED
    ]


def test_config_names():
    found = sorted(p.name for p in SDCONET.glob('*.py'))
    missing_h3 = [] if HAS_CASCADE_NWPU else CASCADE_NWPU
    assert found == sorted(set(EXPECTED) - set(missing_h3))
    for name in EXPECTED:
        assert NAME.match(name), name


@pytest.mark.parametrize('name', _all_configs())
def test_config_loads_with_schedule_and_data(name):
    cfg = _load(name)
    data = _dataset_of(name)
    assert cfg.default_scope == 'mmdet'
    assert 'mmrsod.models' in cfg.custom_imports.imports
    assert 'mmrsod.engine' in cfg.custom_imports.imports  # the hook
    # 36 epochs, lr x 0.1 at epoch 30, batch 2
    assert cfg.train_cfg.max_epochs == 36
    assert cfg.train_cfg.type == 'EpochBasedTrainLoop'
    (sched, ) = [s for s in cfg.param_scheduler if s.type == 'MultiStepLR']
    assert sched.milestones == [30] and sched.gamma == 0.1
    assert sched.end == 36 and sched.by_epoch is True
    assert cfg.train_dataloader.batch_size == 2
    # data: the dataset base of its data set, exactly
    base = Config.fromfile(str(DATA_BASES[data]))
    for key in DATA_KEYS:
        assert cfg[key].to_dict() == base[key].to_dict(), (name, key)
    for key in ('tile_size', 'lr_scale', 'data_root', 'dataset_type'):
        assert cfg[key] == base[key], (name, key)
    from mmrsod.models.utils import input_shape_from_cfg
    side = LR_SIZE[data]
    assert input_shape_from_cfg(cfg) == (side, side)
    assert cfg.tile_size == 2 * side and cfg.lr_scale == 2
    if 'cascade' not in name:
        assert cfg.model.bbox_head.num_classes == NUM_CLASSES[data]
    else:
        assert [h.num_classes for h in cfg.model.roi_head.bbox_head
                ] == [NUM_CLASSES[data]] * 3


@pytest.mark.parametrize('name', list(SWITCHES))
def test_dino_family_switches(name):
    want = SWITCHES[name]
    cfg = _load(name)
    model = cfg.model
    assert model.type == 'SDCoNet'
    assert model.num_queries == 900
    assert model.backbone.type == 'SwinTransformer'
    assert model.neck.in_channels == [192, 384, 768]
    # the paper's optimiser
    assert cfg.optim_wrapper.optimizer.type == 'AdamW'
    assert cfg.optim_wrapper.optimizer.lr == 1e-4
    assert cfg.optim_wrapper.optimizer.weight_decay == 1e-4
    assert cfg.optim_wrapper.clip_grad == dict(max_norm=0.1, norm_type=2)
    keys = cfg.optim_wrapper.paramwise_cfg.custom_keys
    assert keys['backbone'] == dict(lr_mult=0.1)

    assert model.level_filter_ratio == want['level']
    assert model.layer_filter_ratio == want['layer']
    if want['bg']:
        assert model.background_embedding == dict(max_size=200)
    else:
        assert model.background_embedding is None
    if want['sal']:
        head = model.saliency_head
        assert head.type == 'SaliencyScoreHead'
        assert (head.alpha, head.learnable_alpha) == want['alpha']
        assert head.embed_dims == 256 and head.num_levels == 4
        assert head.strides == (8, 16, 32, 64)
        assert head.sigma == pytest.approx(1 / np.sqrt(2 * np.log(2)))
        assert head.loss == dict(
            type='FocalLoss',
            use_sigmoid=True,
            alpha=0.25,
            gamma=2.0,
            loss_weight=2.0)
    else:
        assert model.saliency_head is None
    hooks = [h.type for h in cfg.get('custom_hooks', [])]
    if want['sr']:
        # the SR branch: all four Swin stages, the neck takes (1, 2, 3),
        # gt_sr prepared, gradient routing from epoch 16 at rho x lr
        assert model.backbone.out_indices == (0, 1, 2, 3)
        assert model.neck_in_indices == (1, 2, 3)
        assert model.data_preprocessor.type == 'DetSRDataPreprocessor'
        sr = model.sr_head
        assert sr.type == 'SwinUNetSRHead'
        assert sr.in_channels == (96, 192, 384, 768)
        assert sr.depths == (2, 2, 2) and sr.num_heads == (12, 6, 3)
        assert sr.window_size == 7 and sr.mlp_ratio == 2.0
        assert sr.dec_channels == 32 and sr.upscale == cfg.lr_scale
        assert sr.loss_sr == dict(type='L1Loss', loss_weight=5.0)
        assert cfg.custom_hooks == [
            dict(type='GradientRoutingHook', detection_epochs=16)
        ]
        assert cfg.rho == 0.5
        assert keys['sr_head'] == dict(lr_mult=cfg.rho)
        assert keys['backbone.norm0'] == dict(lr_mult=cfg.rho)
        assert cfg.find_unused_parameters is True
    else:
        assert model.sr_head is None
        assert model.backbone.out_indices == (1, 2, 3)
        assert model.neck_in_indices is None
        assert model.data_preprocessor.type == 'DetDataPreprocessor'
        assert 'GradientRoutingHook' not in hooks
        assert not cfg.get('find_unused_parameters', False)
    # DINO's normalisation in either preprocessor
    pre = model.data_preprocessor
    assert pre.mean == [123.675, 116.28, 103.53]
    assert pre.std == [58.395, 57.12, 57.375]
    assert pre.bgr_to_rgb is True and pre.pad_size_divisor == 1


def test_rho_lr_groups_follow_the_longest_key():
    """mmengine matches the longest custom key first: Swin's norm0 (SR only)
    trains at rho x lr although its name also contains 'backbone'."""
    from mmengine.optim import build_optim_wrapper

    cfg = _load(f'sdconet{S}nwpu-lr2x.py')

    class Toy(torch.nn.Module):

        def __init__(self):
            super().__init__()
            self.backbone = torch.nn.Module()
            self.backbone.norm0 = torch.nn.LayerNorm(4)
            self.backbone.norm1 = torch.nn.LayerNorm(4)
            self.sr_head = torch.nn.Linear(4, 4)
            self.encoder = torch.nn.Linear(4, 4)

    toy = Toy()
    with DefaultScope.overwrite_default_scope('mmdet'):
        wrapper = build_optim_wrapper(toy, copy.deepcopy(cfg.optim_wrapper))
    lr_of = {}
    names = {id(p): n for n, p in toy.named_parameters()}
    for group in wrapper.optimizer.param_groups:
        for p in group['params']:
            lr_of[names[id(p)]] = group['lr']
    assert lr_of['backbone.norm0.weight'] == pytest.approx(0.5e-4)
    assert lr_of['backbone.norm1.weight'] == pytest.approx(1e-5)
    assert lr_of['sr_head.weight'] == pytest.approx(0.5e-4)
    assert lr_of['encoder.weight'] == pytest.approx(1e-4)


def test_dota_tests_on_val_and_hrrsd_on_test():
    dota = Config.fromfile(str(DATA_BASES['dota15']))
    assert dota.dataset_type == 'DOTAv15Dataset'
    assert dota.data_root == 'data/dota15_split/'
    assert dota.train_dataloader.dataset.ann_file == 'dota_train.json'
    assert dota.test_dataloader.dataset.ann_file == 'dota_val.json'
    assert dota.test_evaluator.ann_file == 'data/dota15_split/dota_val.json'
    hrrsd = Config.fromfile(str(DATA_BASES['hrrsd']))
    assert hrrsd.dataset_type == 'HRRSDDataset'
    assert hrrsd.data_root == 'data/hrrsd_split/'
    for split in ('train', 'val', 'test'):
        loader = hrrsd[f'{split}_dataloader']
        assert loader.dataset.ann_file == f'hrrsd_{split}.json'
    for base in (dota, hrrsd):
        assert base.tile_size == 1024 and base.lr_scale == 2
        # everything but the data set equals the NWPU base
        nwpu = Config.fromfile(str(DATA_BASES['nwpu']))
        assert base.train_pipeline == nwpu.train_pipeline
        assert base.test_pipeline == nwpu.test_pipeline
        assert base.test_evaluator.type == 'CocoPRCurveMetric'


def test_dataset_classes_are_registered():
    from mmdet.registry import DATASETS

    import mmrsod.datasets  # noqa: F401
    assert len(DATASETS.get('DOTAv15Dataset').METAINFO['classes']) == 16
    assert len(DATASETS.get('HRRSDDataset').METAINFO['classes']) == 13


# --------------------------------------------------------------------------
# needs the merged model classes (SDCoNet, SaliencyScoreHead,
# SwinUNetSRHead, CascadeRCNNSR): build every model and run one loss()
# --------------------------------------------------------------------------
def _tiny_cfg(name: str) -> Config:
    cfg = _load(name)
    cfg.model.backbone.init_cfg = None  # no download
    if cfg.model.type == 'SDCoNet':
        # 64 px -> 85 encoder tokens: DINO's top-k must fit
        cfg.model.num_queries = 30
    return cfg


def _build(cfg: Config):
    from mmdet.registry import MODELS

    import mmrsod.models  # noqa: F401
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MODELS.build(copy.deepcopy(cfg.model))
        model.init_weights()
    return model


def _tiny_batch(cfg: Config, hr: int = 128):
    """Two HR tiles with boxes through the config's own transforms after
    loading (flip switch, DownsampleToLR, PackDetSRInputs)."""
    from mmdet.registry import TRANSFORMS
    from mmdet.structures.bbox import HorizontalBoxes
    from mmengine.dataset import Compose

    import mmrsod.datasets  # noqa: F401
    rng = np.random.default_rng(0)
    with DefaultScope.overwrite_default_scope('mmdet'):
        steps = [
            TRANSFORMS.build(t) for t in cfg.train_pipeline
            if t['type'] not in ('LoadImageFromFile', 'LoadAnnotations')
        ]
    pipeline = Compose(steps)
    packed = []
    for i in range(2):
        img = rng.integers(0, 256, (hr, hr, 3), dtype=np.uint8)
        packed.append(
            pipeline(
                dict(
                    img=img,
                    img_path=f'tile_{i}.png',
                    img_id=i,
                    img_shape=(hr, hr),
                    ori_shape=(hr, hr),
                    gt_bboxes=HorizontalBoxes(
                        np.array([[8., 16., 40., 60.], [70., 70., 120., 96.]],
                                 dtype=np.float32)),
                    gt_bboxes_labels=np.array([0, 1]),
                    gt_ignore_flags=np.array([False, False]))))
    return dict(
        inputs=[p['inputs'] for p in packed],
        data_samples=[p['data_samples'] for p in packed])


def _losses(model, cfg):
    data = model.data_preprocessor(_tiny_batch(cfg), training=True)
    return model.loss(data['inputs'], data['data_samples'])


LOSS_CONFIGS = [n for n in SWITCHES if '_nwpu-' in n]


@pytest.mark.parametrize(
    'name', LOSS_CONFIGS +
    [pytest.param(n, marks=needs_cascade) for n in CASCADE_NWPU])
def test_model_builds_and_computes_losses(name):
    """Needs the merged model classes of issue #8."""
    cfg = _tiny_cfg(name)
    model = _build(cfg).train()
    assert type(model).__name__ == cfg.model.type
    losses = _losses(model, cfg)
    has_sr = cfg.model.get('sr_head') is not None
    assert ('loss_sr' in losses) is has_sr
    assert ('loss_saliency' in losses) is (cfg.model.get('saliency_head')
                                           is not None)
    total = 0
    for key, value in losses.items():
        if 'loss' not in key:
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            assert torch.isfinite(v).all(), key
            total = total + v.sum()
    total.backward()
    if has_sr:  # the SR loss reaches the SR decoder (stage 2 by default)
        grads = [p.grad for p in model.sr_head.parameters()]
        assert any(g is not None and g.abs().sum() > 0 for g in grads)


@pytest.mark.parametrize(
    'name', [n for n in SWITCHES if '_nwpu-' not in n] +
    [pytest.param(n, marks=needs_cascade) for n in CASCADE_DOTA])
def test_dota_hrrsd_models_build(name):
    """Needs the merged model classes of issue #8."""
    cfg = _tiny_cfg(name)
    model = _build(cfg)
    data = _dataset_of(name)
    if hasattr(model, 'roi_head'):
        classes = [h.num_classes for h in model.roi_head.bbox_head]
    else:
        classes = [model.bbox_head.num_classes]
    assert classes and all(n == NUM_CLASSES[data] for n in classes)


def _test_time_state(name: str) -> Dict[str, tuple]:
    from mmrsod.models.utils import build_test_model
    cfg = _tiny_cfg(name)
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = build_test_model(cfg, strip_auxiliary=True)
    return {k: tuple(v.shape) for k, v in model.state_dict().items()}


def test_stripped_models_match_their_sr_free_ablations():
    """Needs the merged model classes of issue #8: at test time the SR
    branch is gone, so SDCoNet = DINO-Saliency and DINO-SR = DINO."""
    assert _test_time_state(f'sdconet{S}nwpu-lr2x.py') == \
        _test_time_state(f'sdconet-sal{S}nwpu-lr2x.py')
    assert _test_time_state(f'sdconet-sr{S}nwpu-lr2x.py') == \
        _test_time_state(f'dino-4scale{S}nwpu-lr2x.py')


def test_readme_lists_every_config():
    """The README's config table links exactly the configs of the folder
    (and of the contract)."""
    text = (SDCONET / 'README.md').read_text()
    linked = set(re.findall(r'\]\(([\w.-]+\.py)\)', text))
    assert linked == set(EXPECTED)

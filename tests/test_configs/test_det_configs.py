# Copyright (c) mmrsod contributors. All rights reserved.
"""Every detection baseline config loads and builds its model (no
pretrained download), trains 10 NWPU classes on the contract's data paths,
and the DINO small-input trap fails in one line."""
import copy
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

import mmrsod  # noqa: F401

CONFIG_ROOT = Path(__file__).resolve().parents[2] / 'configs'
EXPECTED = {
    'faster_rcnn': [
        'faster-rcnn_mobilenetv2_fpn_1xb2-12e_nwpu-lr2x.py',
        'faster-rcnn_r18_fpn_1xb2-12e_nwpu-lr2x.py',
        'faster-rcnn_r50_fpn_1xb2-12e_nwpu-lr2x.py'
    ],
    'retinanet': [
        'retinanet_mobilenetv2_fpn_1xb2-12e_nwpu-lr2x.py',
        'retinanet_r18_fpn_1xb2-12e_nwpu-lr2x.py',
        'retinanet_r50_fpn_1xb2-12e_nwpu-lr2x.py'
    ],
    'cascade_rcnn': ['cascade-rcnn_r50_fpn_1xb2-12e_nwpu-lr2x.py'],
    'dino': [
        'dino-4scale_r50_1xb2-12e_nwpu-lr2x.py',
        'dino-4scale_swin-t_1xb2-12e_nwpu-lr2x.py'
    ],
}
CONFIGS = [
    f'{family}/{name}' for family in EXPECTED for name in EXPECTED[family]
]
DATA_BASE = CONFIG_ROOT / '_base_' / 'datasets' / 'nwpu_vhr10_lr2x.py'
DATA_KEYS = ('train_dataloader', 'val_dataloader', 'test_dataloader',
             'val_evaluator', 'test_evaluator')


def _load(name: str) -> Config:
    return Config.fromfile(str(CONFIG_ROOT / name))


def _build(cfg: Config):
    from mmdet.registry import MODELS
    cfg.model.backbone.init_cfg = None  # nothing is downloaded in tests
    # the mmdet scope only while building: SOD tests in the same process
    # keep theirs; DINO's constructor edits its bbox_head dict: build from
    # a copy
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MODELS.build(copy.deepcopy(cfg.model))
        model.init_weights()
    return model


def _num_classes(model) -> list:
    if hasattr(model, 'roi_head'):
        heads = model.roi_head.bbox_head
        heads = heads if isinstance(heads, torch.nn.ModuleList) else [heads]
        return [h.num_classes for h in heads]
    return [model.bbox_head.num_classes]


def test_configs_found():
    for family, names in EXPECTED.items():
        # the NWPU baselines (the det demo config sits next to them)
        found = sorted(
            p.name for p in (CONFIG_ROOT / family).glob('*_nwpu-lr2x.py'))
        assert found == names, family


@pytest.mark.parametrize('name', CONFIGS)
def test_config_builds(name):
    cfg = _load(name)
    from mmrsod.models.utils import input_shape_from_cfg
    assert input_shape_from_cfg(cfg) == (256, 256)  # the tools' default
    assert cfg.default_scope == 'mmdet'
    assert cfg.custom_imports == dict(
        imports=[
            'mmrsod.datasets', 'mmrsod.models', 'mmrsod.evaluation',
            'mmrsod.engine'
        ],
        allow_failed_imports=False)
    # the usual pretrained weights stay for users who have them
    assert cfg.model.backbone.init_cfg.type == 'Pretrained'
    model = _build(cfg)
    assert type(model).__name__ == cfg.model.type
    classes = _num_classes(model)
    assert classes and all(n == 10 for n in classes)
    # data per the contract: 512 px HR tiles -> 256 px LR input, batch 2
    assert cfg.train_dataloader.batch_size == 2
    for split, loader in (('train', cfg.train_dataloader),
                          ('val', cfg.val_dataloader), ('test',
                                                        cfg.test_dataloader)):
        dataset = loader.dataset
        assert dataset.type == 'NWPUVHR10Dataset'
        assert dataset.data_root == 'data/nwpu_vhr10_split/'
        assert dataset.ann_file == f'nwpu_vhr10_{split}.json'
        steps = [t['type'] for t in dataset.pipeline]
        if split == 'train':  # boxes are flipped and scaled with the image
            assert steps[:4] == [
                'LoadImageFromFile', 'LoadAnnotations', 'RandomFlip',
                'DownsampleToLR'
            ]
            assert dataset.pipeline[3].get('keep_hr', True) is True
        else:  # GT stays in the HR frame of the predictions; no gt_sr
            assert steps[:3] == [
                'LoadImageFromFile', 'DownsampleToLR', 'LoadAnnotations'
            ]
            assert dataset.pipeline[1].keep_hr is False
        lr_step = dataset.pipeline[steps.index('DownsampleToLR')]
        assert steps[-1] == 'PackDetSRInputs'
        assert lr_step.scale == 2
        assert 'Resize' not in steps  # tiles are already 512 px
    flips = [
        t for t in cfg.train_dataloader.dataset.pipeline
        if t['type'] == 'RandomFlip'
    ]
    assert len(flips) == 1 and flips[0].prob == 0.0  # the switch, off
    for split in ('val', 'test'):
        evaluator = cfg[f'{split}_evaluator']
        assert evaluator.type == 'CocoPRCurveMetric'
        assert evaluator.metric == 'bbox' and evaluator.classwise is True
        assert evaluator.pr_curve_dir is None  # settable by --cfg-options
        assert evaluator.ann_file == \
            f'data/nwpu_vhr10_split/nwpu_vhr10_{split}.json'


def test_dino_data_equals_the_data_base():
    """The DINO configs repeat the data base (mmdet's DINO config is their
    base, and mmengine forbids one key in two bases): it must not drift."""
    base = Config.fromfile(str(DATA_BASE))
    for name in EXPECTED['dino']:
        cfg = _load(f'dino/{name}')
        for key in DATA_KEYS:
            assert cfg[key].to_dict() == base[key].to_dict(), (name, key)
        for key in ('tile_size', 'lr_scale', 'data_root', 'data_prefix'):
            assert cfg[key] == base[key], (name, key)


def test_anchor_scales_halved_for_lr_objects():
    """COCO anchors start at 32 px; LR NWPU objects from ~14 px."""
    for name in ('faster_rcnn/faster-rcnn_r50_fpn_1xb2-12e_nwpu-lr2x.py',
                 'cascade_rcnn/cascade-rcnn_r50_fpn_1xb2-12e_nwpu-lr2x.py'):
        anchors = _load(name).model.rpn_head.anchor_generator
        assert anchors.scales == [4]
        assert anchors.strides == [4, 8, 16, 32, 64]  # 16..256 px
    anchors = _load('retinanet/retinanet_r50_fpn_1xb2-12e_nwpu-lr2x.py'
                    ).model.bbox_head.anchor_generator
    assert anchors.octave_base_scale == 2  # 16 px at stride 8


@pytest.mark.parametrize('name,in_channels',
                         [('faster_rcnn/faster-rcnn_mobilenetv2_fpn_1xb2-'
                           '12e_nwpu-lr2x.py', [24, 32, 96, 1280]),
                          ('retinanet/retinanet_mobilenetv2_fpn_1xb2-12e_'
                           'nwpu-lr2x.py', [24, 32, 96, 1280]),
                          ('faster_rcnn/faster-rcnn_r18_fpn_1xb2-12e_'
                           'nwpu-lr2x.py', [64, 128, 256, 512]),
                          ('retinanet/retinanet_r18_fpn_1xb2-12e_nwpu-'
                           'lr2x.py', [64, 128, 256, 512])])
def test_student_backbone_feeds_fpn(name, in_channels):
    """The students' backbones give the FPN 4 maps at strides 4-32 with
    the channels it expects; the FPN has 256 channels like the teacher's."""
    cfg = _load(name)
    assert cfg.model.neck.in_channels == in_channels
    assert cfg.model.neck.out_channels == 256
    model = _build(cfg).eval()
    with torch.no_grad():
        feats = model.backbone(torch.zeros(1, 3, 64, 64))
    assert [f.shape[1] for f in feats] == in_channels
    assert [f.shape[-1] for f in feats] == [16, 8, 4, 2]
    if 'mobilenetv2' in name:
        # frozen BN statistics at batch 2 per device, as for ResNet
        assert model.backbone.norm_eval is True
        model.train()
        assert not any(m.training for m in model.backbone.modules()
                       if isinstance(m, torch.nn.BatchNorm2d))


def test_swin_t_dino_is_the_sdconet_baseline():
    cfg = _load('dino/dino-4scale_swin-t_1xb2-12e_nwpu-lr2x.py')
    backbone = cfg.model.backbone
    assert backbone.type == 'SwinTransformer'
    assert backbone.embed_dims == 96
    assert backbone.depths == [2, 2, 6, 2]
    assert backbone.num_heads == [3, 6, 12, 24]
    assert backbone.out_indices == (1, 2, 3)
    assert cfg.model.neck.in_channels == [192, 384, 768]
    assert cfg.model.num_queries == 900
    assert cfg.param_scheduler[0].type == 'MultiStepLR'
    # the optimiser the runner builds: AdamW 1e-4, wd 1e-4, clip 0.1, and
    # the backbone at 0.1 x lr
    from mmengine.optim import build_optim_wrapper
    model = _build(cfg)
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    assert type(wrapper.optimizer).__name__ == 'AdamW'
    assert wrapper.clip_grad_kwargs == dict(max_norm=0.1, norm_type=2)
    names = {id(p): n for n, p in model.named_parameters()}
    lrs = {}
    for group in wrapper.optimizer.param_groups:
        assert group['weight_decay'] == pytest.approx(1e-4)
        for p in group['params']:
            lrs[names[id(p)]] = group['lr']
    assert len(lrs) == sum(1 for p in model.parameters() if p.requires_grad)
    for name, lr in lrs.items():
        expected = 1e-5 if name.startswith('backbone.') else 1e-4
        assert lr == pytest.approx(expected), name


def test_num_encoder_tokens_by_hand():
    from mmrsod.models import num_encoder_tokens
    assert num_encoder_tokens(256, 256) == 32**2 + 16**2 + 8**2 + 4**2
    assert num_encoder_tokens(256, 256) == 1360
    assert num_encoder_tokens(128, 128) == 340
    assert num_encoder_tokens(64, 64) == 85
    # odd sizes round up at every level: 100 -> 13, 7, 4, 2
    assert num_encoder_tokens(100, 100) == 169 + 49 + 16 + 4


@pytest.fixture(scope='module')
def small_dino():
    """The Swin-T DINO baseline with 1 encoder and 1 decoder layer."""
    cfg = _load('dino/dino-4scale_swin-t_1xb2-12e_nwpu-lr2x.py')
    cfg.model.encoder.num_layers = 1
    cfg.model.decoder.num_layers = 1
    model = _build(cfg)
    return model


def _samples(size: int, with_gt: bool = False) -> list:
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData
    samples = []
    for _ in range(2):
        sample = DetDataSample(
            metainfo=dict(
                img_shape=(size, size),
                batch_input_shape=(size, size),
                pad_shape=(size, size),
                ori_shape=(2 * size, 2 * size),
                scale_factor=(0.5, 0.5)))
        if with_gt:
            sample.gt_instances = InstanceData(
                bboxes=torch.tensor([[4.0, 6.0, 40.0, 30.0]]),
                labels=torch.tensor([3]))
        samples.append(sample)
    return samples


@pytest.mark.parametrize('mode', ['predict', 'loss'])
def test_dino_small_input_one_line_error(small_dino, mode):
    """900 queries on a 128 px input (340 tokens) fail with a ConfigError
    naming the key, the count and the size, in training and testing."""
    from mmrsod.utils import ConfigError
    assert small_dino.num_queries == 900
    small_dino.train(mode == 'loss')
    inputs = torch.zeros(2, 3, 128, 128)
    with pytest.raises(ConfigError) as err:
        getattr(small_dino, mode)(inputs, _samples(128, with_gt=True))
    assert str(
        err.value) == ('model.num_queries=900 exceeds the 340 encoder tokens '
                       '(256 + 64 + 16 + 4) of a 128x128 input: set '
                       'model.num_queries<=340 or use a larger input')


@pytest.mark.parametrize('num_queries,ok', [(340, True), (341, False)])
def test_dino_query_limit_is_the_token_count(small_dino, num_queries, ok):
    """Exactly as many queries as tokens works; one more fails."""
    from mmrsod.utils import ConfigError
    small_dino.eval()
    small_dino.num_queries = num_queries
    # the query embedding has num_queries rows in a built model
    weight = small_dino.query_embedding.weight
    small_dino.query_embedding.weight = torch.nn.Parameter(
        torch.randn(num_queries, weight.shape[1]))
    try:
        if ok:
            with torch.no_grad():
                results = small_dino.predict(
                    torch.zeros(2, 3, 128, 128), _samples(128))
            assert len(results) == 2
            # boxes are in the 256 px original frame (rescale=True)
            boxes = results[0].pred_instances.bboxes
            assert float(boxes.max()) <= 256
        else:
            with pytest.raises(
                    ConfigError,
                    match='num_queries=341 exceeds '
                    'the 340 encoder tokens'):
                with torch.no_grad():
                    small_dino.predict(
                        torch.zeros(2, 3, 128, 128), _samples(128))
    finally:
        small_dino.num_queries = 900
        small_dino.query_embedding.weight = weight


def test_rs_dino_is_dino_plus_the_check():
    """RSDINO has DINO's parameters and state-dict keys, so mmdet DINO
    checkpoints load unchanged, and DINO.init_weights runs without any
    pretrained weights (init_cfg=None)."""
    from mmdet.models.detectors import DINO
    cfg = _load('dino/dino-4scale_r50_1xb2-12e_nwpu-lr2x.py')
    cfg.model.encoder.num_layers = 1
    cfg.model.decoder.num_layers = 1
    ours = _build(cfg)
    assert isinstance(ours, DINO)
    cfg.model.type = 'DINO'
    theirs = _build(cfg)
    assert type(theirs) is DINO
    assert ours.state_dict().keys() == theirs.state_dict().keys()
    for key, value in ours.state_dict().items():
        assert value.shape == theirs.state_dict()[key].shape, key
    theirs.load_state_dict(ours.state_dict())


def test_flip_switch_from_the_command_line(tmp_path):
    """The README's switch: --cfg-options
    train_dataloader.dataset.pipeline.2.prob=1 flips the HR image and boxes
    before the downsampling, so the LR input, gt_sr and boxes agree."""
    import numpy as np
    from mmcv.transforms import Compose
    from PIL import Image

    import mmrsod.datasets  # noqa: F401
    from mmrsod.utils import load_config
    name = 'faster_rcnn/faster-rcnn_r18_fpn_1xb2-12e_nwpu-lr2x.py'
    cfg = load_config(
        str(CONFIG_ROOT / name),
        {'train_dataloader.dataset.pipeline.2.prob': 1.0})
    flip = cfg.train_dataloader.dataset.pipeline[2]
    assert flip.type == 'RandomFlip' and flip.prob == 1.0
    # the test pipeline has no flip
    assert 'RandomFlip' not in [
        t['type'] for t in cfg.test_dataloader.dataset.pipeline
    ]
    hr = np.zeros((8, 8, 3), np.uint8)
    hr[:, :4] = 200  # left half bright
    Image.fromarray(hr).save(tmp_path / 'tile.png')
    with DefaultScope.overwrite_default_scope('mmdet'):
        pipeline = Compose(cfg.train_dataloader.dataset.pipeline)
        out = pipeline(
            dict(
                img_path=str(tmp_path / 'tile.png'),
                img_id=0,
                instances=[
                    dict(bbox=[0, 0, 4, 2], bbox_label=1, ignore_flag=0)
                ]))
    sample = out['data_samples']
    flipped = hr[:, ::-1].transpose(2, 0, 1)  # right half bright, CHW
    assert (sample.gt_sr.data.numpy() == flipped).all()
    # the LR input is the PIL bicubic downsampling of the flipped HR tile
    lr = Image.fromarray(np.ascontiguousarray(hr[:, ::-1])).resize(
        (4, 4), Image.BICUBIC)
    assert (out['inputs'].numpy() == np.asarray(lr).transpose(2, 0, 1)).all()
    assert out['inputs'][0, 0, 0] < out['inputs'][0, 0, 3]  # flipped
    # HR box [0, 0, 4, 2] flipped in 8 px: [4, 0, 8, 2]; LR: / 2
    assert sample.gt_instances.bboxes.tensor.tolist() == [[2., 0., 4., 1.]]


@pytest.mark.parametrize('name', CONFIGS)
def test_pipelines_build(name):
    """The train and test pipelines build from mmdet's and mmrsod's
    transforms (the LR/HR pair comes with the LR transforms' module)."""
    from mmdet.registry import TRANSFORMS
    from mmengine.dataset import Compose

    import mmrsod.datasets  # noqa: F401
    with DefaultScope.overwrite_default_scope('mmdet'):
        assert TRANSFORMS.get('DownsampleToLR') is not None
        assert TRANSFORMS.get('PackDetSRInputs') is not None
        cfg = _load(name)
        for loader in ('train_dataloader', 'val_dataloader',
                       'test_dataloader'):
            pipeline = Compose(cfg[loader].dataset.pipeline)
            assert len(pipeline.transforms) == len(
                cfg[loader].dataset.pipeline)

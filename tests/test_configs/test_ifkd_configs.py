# Copyright (c) mmrsod contributors. All rights reserved.
"""configs/ifkd and the IFKD data sets' plain configs.

* every distillation config in configs/ifkd parses, its student is exactly
  its plain student config's model (so the exported student loads into
  it), its teacher is the R50 config of the same detector and data set
  with the same classes, and it trains on its student's data;
* the IFKD matrix (RetinaNet / Faster R-CNN, R18 / MobileNetV2 students,
  NWPU / ShipRSImageNet-L3 / SAR-AIRcraft) shares one set of IFKD settings,
  and each Table 4 ablation switches off exactly the modules its name
  leaves out;
* the ShipRSImageNet and SAR-AIRcraft plain configs are the NWPU ones with
  only the data, classes and anchors changed, and their data bases read
  what the converters write from the official layouts;
* one new-data-set IFKD config runs its loss end to end on its own
  pipeline.

Parsing only, apart from two plain students and that one wrapper (random
teacher, tiny MobileSAM); mmengine re-reads all of mmdet's metafiles for
every ``mmdet::`` base (about 0.2 s each), so the lookup is memoised here
while this module runs.
"""
import itertools
import re
from functools import lru_cache
from pathlib import Path

import pytest
from mmengine.config import Config

from mmrsod.testing import tiny_tiny_vit_cfg

REPO = Path(__file__).resolve().parents[2]
CONFIGS = REPO / 'configs'
IFKD = CONFIGS / 'ifkd'
FOLDER = {'retinanet': 'retinanet', 'faster-rcnn': 'faster_rcnn'}
NUM_CLASSES = {'nwpu-lr2x': 10, 'shiprsimagenet-l3': 50, 'sar-aircraft': 7}
NAME = re.compile(r'^(?P<det>retinanet|faster-rcnn)_(?P<student>r18|'
                  r'mobilenetv2)_fpn_(?P<method>[a-z0-9-]+)_r50_1xb2-12e_'
                  r'(?P<data>nwpu-lr2x|shiprsimagenet-l3|sar-aircraft)\.py$')
FULL = 'retinanet_r18_fpn_ifkd_r50_1xb2-12e_nwpu-lr2x.py'
MATRIX = [
    f'{det}_{student}_fpn_ifkd_r50_1xb2-12e_{data}.py'
    for det, student, data in itertools.product(FOLDER, (
        'r18', 'mobilenetv2'), NUM_CLASSES)
]
# Table 4: method -> modules on, in two settings: NWPU RetinaNet R18 <- R50
# (run here) and the paper's ShipRSImageNet RetinaNet MobileNetV2 <- R50
ABLATIONS = {
    'ifkd-ede': {'ede'},
    'ifkd-fdr': {'fdr'},
    'ifkd-hsm': {'hsm'},
    'ifkd-ede-fdr': {'ede', 'fdr'},
    'ifkd-ede-hsm': {'ede', 'hsm'},
    'ifkd-fdr-hsm': {'fdr', 'hsm'},
    'ifkd-none': set(),  # not a paper row: the loss form alone
}
ABLATION_SETTINGS = {
    'nwpu': 'retinanet_r18_fpn_{}_r50_1xb2-12e_nwpu-lr2x.py',
    'paper': 'retinanet_mobilenetv2_fpn_{}_r50_1xb2-12e_shiprsimagenet-l3.py',
}
ABLATION_NAMES = [
    pattern.format(m) for pattern in ABLATION_SETTINGS.values()
    for m in [*ABLATIONS, 'ifkd', 'at']
]
BASELINES = [
    'retinanet_r18_fpn_fitnet_r50_1xb2-12e_nwpu-lr2x.py',
    'faster-rcnn_r18_fpn_fitnet_r50_1xb2-12e_nwpu-lr2x.py',
    'retinanet_r18_fpn_fgd_r50_1xb2-12e_nwpu-lr2x.py',
    'faster-rcnn_r18_fpn_fgd_r50_1xb2-12e_nwpu-lr2x.py',
    'retinanet_r18_fpn_frs_r50_1xb2-12e_nwpu-lr2x.py',
    'faster-rcnn_r18_fpn_frs_r50_1xb2-12e_nwpu-lr2x.py',
]
# FGD / FRS baselines: the loss keys each adds to ``loss()``
BASELINE_KEYS = {
    'FGDLoss':
    {'loss_fgd_fg', 'loss_fgd_bg', 'loss_fgd_mask', 'loss_fgd_global'},
    'FRSLoss': {'loss_frs_feat', 'loss_frs_head'},
}
# method -> distill loss types (methods added later are checked by the
# generic tests only)
LOSSES = {
    'fitnet': ['FitNetLoss'],
    'at': ['ATLoss'],
    'fgd': ['FGDLoss'],
    'frs': ['FRSLoss']
}
LOSSES.update({m: ['IFKDLoss'] for m in ['ifkd', *ABLATIONS]})
FOUND = sorted(p.name for p in IFKD.glob('*.py'))
DATA_KEYS = ('train_dataloader', 'val_dataloader', 'test_dataloader',
             'val_evaluator', 'test_evaluator')


@pytest.fixture(scope='module', autouse=True)
def _memoised_external_lookup():
    original = Config.__dict__['_get_cfg_path']
    lookups = {}

    def get_cfg_path(cfg_path, filename):
        if '::' not in cfg_path:
            return original.__func__(cfg_path, filename)
        if cfg_path not in lookups:
            lookups[cfg_path] = original.__func__(cfg_path, filename)
        return lookups[cfg_path]

    Config._get_cfg_path = staticmethod(get_cfg_path)
    yield
    Config._get_cfg_path = original
    _load.cache_clear()


@lru_cache(maxsize=None)
def _load(rel: str) -> Config:
    """A config under configs/ (cached: do not modify it)."""
    return Config.fromfile(str(CONFIGS / rel))


def _plain(det: str, student: str, data: str) -> str:
    return f'{FOLDER[det]}/{det}_{student}_fpn_1xb2-12e_{data}.py'


def _num_classes(model: dict) -> int:
    if 'roi_head' in model:
        return model['roi_head']['bbox_head']['num_classes']
    return model['bbox_head']['num_classes']


def _ifkd_loss(cfg: Config) -> dict:
    return cfg.model.distill_losses.ifkd.to_dict()


def test_matrix_ablations_and_baselines_present():
    missing = set(MATRIX + ABLATION_NAMES + BASELINES) - set(FOUND)
    assert not missing
    assert len(MATRIX) == 12
    for name in FOUND:  # student-then-teacher names, one data set each
        assert NAME.match(name), name


@pytest.mark.parametrize('name', FOUND)
def test_distill_config(name):
    parts = NAME.match(name).groupdict()
    det, student, method, data = (parts['det'], parts['student'],
                                  parts['method'], parts['data'])
    cfg = _load(f'ifkd/{name}')
    model = cfg.model
    assert model.type == 'DistillationDetector'
    plain = _load(_plain(det, student, data))
    assert model.student.to_dict() == plain.model.to_dict()
    # the same data, schedule and runtime as the plain student
    for key in DATA_KEYS + ('optim_wrapper', 'param_scheduler', 'train_cfg'):
        assert cfg[key] == plain[key], key
    teacher = f'{FOLDER[det]}/{det}_r50_fpn_1xb2-12e_{data}.py'
    assert model.teacher_config == f'configs/{teacher}'
    assert (REPO / model.teacher_config).is_file()
    assert model.teacher_ckpt == \
        f'work_dirs/{Path(teacher).stem}/epoch_12.pth'
    assert model.teacher_config == cfg.teacher_config
    assert model.teacher_ckpt == cfg.teacher_ckpt
    classes = NUM_CLASSES[data]
    assert _num_classes(model.student) == classes
    assert _num_classes(_load(teacher).model) == classes
    if method in LOSSES:
        assert [v.type
                for v in model.distill_losses.values()] == LOSSES[method]
    # FitNet, FRS and IFKD regress through phi_adapt; AT compares channel
    # sums; FGD aligns only when channel counts differ (256 = 256)
    if method not in ('at', 'fgd'):
        assert model.adapters == dict(
            in_channels=256, out_channels=256, num_levels=5)
    else:
        assert model.adapters is None


def test_ifkd_settings_are_shared():
    """The 12 configs of the matrix differ from the full NWPU RetinaNet R18
    one only in student, teacher and data: the IFKD settings are one."""
    full = _load(f'ifkd/{FULL}')
    loss = _ifkd_loss(full)
    # the paper's alpha and beta (eq. 14), the MobileSAM path variable
    assert loss['type'] == 'IFKDLoss'
    assert loss['loss_feat']['loss_weight'] == 0.06
    assert loss['loss_head']['loss_weight'] == 0.5
    assert full.sam_checkpoint == 'checkpoints/mobile_sam.pt'
    assert loss['ede']['checkpoint'] == full.sam_checkpoint
    assert loss['ede']['cache_dir'] == full.sam_cache_dir
    assert loss['ede'].get('allow_random', False) is False
    assert all(loss[m] is not None for m in ('ede', 'fdr', 'hsm'))
    shared = {
        k: v
        for k, v in full.model.to_dict().items()
        if k not in ('student', 'teacher_config', 'teacher_ckpt')
    }
    for name in MATRIX:
        cfg = _load(f'ifkd/{name}')
        for key, value in shared.items():
            assert cfg.model[key] == value, (name, key)
        for key in ('sam_checkpoint', 'sam_cache_dir', 'custom_hooks'):
            assert cfg.get(key) == full.get(key), (name, key)


@pytest.mark.parametrize('setting,method',
                         list(itertools.product(ABLATION_SETTINGS, ABLATIONS)))
def test_ablation_switches(setting, method):
    """An ablation is its setting's full IFKD config with exactly the
    modules its name leaves out set to None."""
    pattern = ABLATION_SETTINGS[setting]
    cfg = _load(f'ifkd/{pattern.format(method)}')
    loss = _ifkd_loss(cfg)
    for module in ('ede', 'fdr', 'hsm'):
        assert (loss[module] is not None) == (module in ABLATIONS[method])
    expected = _load(f'ifkd/{pattern.format("ifkd")}').model.to_dict()
    for module in ('ede', 'fdr', 'hsm'):
        if module not in ABLATIONS[method]:
            expected['distill_losses']['ifkd'][module] = None
    assert cfg.model.to_dict() == expected


def test_at_baselines_share_the_loss():
    """Table 4's baseline row: the same AT loss in both settings."""
    nwpu, paper = (
        _load(f'ifkd/{p.format("at")}') for p in ABLATION_SETTINGS.values())
    assert paper.model.distill_losses == nwpu.model.distill_losses
    assert paper.model.adapters is None and nwpu.model.adapters is None


# ------------------------------------------------ plain configs, data bases
DATASETS = {
    # name -> (base file, dataset type, converter output, image prefix,
    #          split read by train / val / test)
    'shiprsimagenet-l3': ('shiprsimagenet_level3.py', 'ShipRSImageNetDataset',
                          'shiprsimagenet/shiprsimagenet_', 'ShipRSImageNet/',
                          ('train', 'val', 'test')),
    'sar-aircraft':
    ('sar_aircraft.py', 'SARAircraftDataset', 'sar_aircraft/sar_aircraft_',
     'SAR-AIRcraft-1.0/', ('train', 'test', 'test')),
}


def _expected_classes(dataset: str) -> tuple:
    from mmrsod.datasets.shiprsimagenet import SHIPRS_LEVEL_CLASSES
    if dataset == 'shiprsimagenet-l3':
        return SHIPRS_LEVEL_CLASSES[3]
    return ('A220', 'A320/321', 'A330', 'ARJ21', 'Boeing737', 'Boeing787',
            'other')


@pytest.mark.parametrize('dataset', sorted(DATASETS))
def test_data_base(dataset):
    from mmdet.registry import DATASETS as REGISTRY

    import mmrsod.datasets  # noqa: F401
    base, type_, ann, prefix, splits = DATASETS[dataset]
    cfg = _load(f'_base_/datasets/{base}')
    classes = REGISTRY.get(type_).METAINFO['classes']
    assert classes == _expected_classes(dataset)
    assert len(classes) == NUM_CLASSES[dataset]
    for loader, split in zip(('train', 'val', 'test'), splits):
        data = cfg[f'{loader}_dataloader'].dataset
        assert data.type == type_
        assert data.data_root == 'data/'
        assert data.ann_file == f'{ann}{split}.json'
        assert data.data_prefix == dict(img=prefix)
        if loader != 'train':
            evaluator = cfg[f'{loader}_evaluator']
            assert evaluator.type == 'CocoPRCurveMetric'
            assert evaluator.metric == 'bbox'
            assert evaluator.classwise is True
            assert evaluator.ann_file == data.data_root + data.ann_file
    # mmdet's default detection pipeline (IFKD Sec. 4.1)
    train = cfg.train_dataloader.dataset.pipeline
    assert [t['type'] for t in train] == [
        'LoadImageFromFile', 'LoadAnnotations', 'Resize', 'RandomFlip',
        'PackDetInputs'
    ]
    assert train[2].scale == (1333, 800) and train[2].keep_ratio is True
    assert train[3].prob == 0.5
    assert cfg.train_dataloader.batch_size == 2


@pytest.mark.parametrize('dataset', sorted(DATASETS))
def test_data_base_reads_converted_layout(dataset, tmp_path):
    """The converter run on a tiny copy of the official layout under
    ``data/`` gives files the base's loaders find: every image resolves,
    the classes are the loader's, and the train pipeline resizes a
    120 x 90 image to 1067 x 800 (scale min(1333 / 120, 800 / 90))."""
    from mmdet.registry import DATASETS as REGISTRY
    from mmengine.registry import DefaultScope

    import mmrsod.datasets  # noqa: F401
    from mmrsod.datasets.converters import (convert_sar_aircraft,
                                            convert_shiprsimagenet)
    from mmrsod.testing import make_voc
    base, _, ann, _, splits = DATASETS[dataset]
    data_root = tmp_path / 'data'
    if dataset == 'shiprsimagenet-l3':
        spec = make_voc(str(data_root), 'shiprsimagenet')
        convert_shiprsimagenet(spec['root'], str(data_root / 'shiprsimagenet'))
    else:
        spec = make_voc(str(data_root), 'sar_aircraft')
        convert_sar_aircraft(spec['root'], str(data_root / 'sar_aircraft'))
    cfg = _load(f'_base_/datasets/{base}')
    with DefaultScope.overwrite_default_scope('mmdet'):
        for loader, split in zip(('train', 'val', 'test'), splits):
            data_cfg = cfg[f'{loader}_dataloader'].dataset.to_dict()
            data_cfg['data_root'] = str(data_root) + '/'
            dataset_obj = REGISTRY.build(data_cfg)
            paths = [
                Path(dataset_obj.get_data_info(i)['img_path'])
                for i in range(len(dataset_obj))
            ]
            assert sorted(p.stem for p in paths) == sorted(
                stem for stem, _, _ in spec['splits'][split])
            assert all(p.is_file() for p in paths)
            assert dataset_obj.metainfo['classes'] == \
                _expected_classes(dataset)
            if loader == 'train':
                first = dataset_obj[0]  # img01, 120 x 90
                assert Path(first['data_samples'].img_path).stem == 'img01'
                assert tuple(first['inputs'].shape) == (3, 800, 1067)


def _mmdet_anchors(det: str) -> dict:
    rel = {
        'retinanet': 'retinanet_r50_fpn',
        'faster-rcnn': 'faster-rcnn_r50_fpn'
    }[det]
    import mmdet
    path = Path(mmdet.__file__).parent / '.mim' / 'configs' / '_base_'
    model = Config.fromfile(str(path / 'models' / f'{rel}.py')).model.to_dict()
    if det == 'retinanet':
        return model['bbox_head']['anchor_generator']
    return model['rpn_head']['anchor_generator']


@pytest.mark.parametrize('det,dataset',
                         list(itertools.product(FOLDER, DATASETS)))
def test_plain_configs_change_only_data_classes_anchors(det, dataset):
    """R50: the NWPU config with this data set, its classes and mmdet's
    default anchors (the NWPU ones are halved for 2x LR objects), same
    schedule and runtime. Students: the R50 config with the NWPU students'
    backbone and neck."""
    base = DATASETS[dataset][0]
    nwpu = _load(_plain(det, 'r50', 'nwpu-lr2x'))
    teacher = _load(_plain(det, 'r50', dataset))
    expected = nwpu.model.to_dict()
    head = expected['bbox_head'] if det == 'retinanet' else \
        expected['roi_head']['bbox_head']
    head['num_classes'] = NUM_CLASSES[dataset]
    dense = expected['bbox_head' if det == 'retinanet' else 'rpn_head']
    dense['anchor_generator'] = _mmdet_anchors(det)
    assert teacher.model.to_dict() == expected
    data = _load(f'_base_/datasets/{base}')
    for key in DATA_KEYS:
        assert teacher[key] == data[key], key
    for key in ('optim_wrapper', 'param_scheduler', 'train_cfg', 'val_cfg',
                'test_cfg', 'auto_scale_lr', 'default_hooks', 'custom_imports',
                'default_scope'):
        assert teacher[key] == nwpu[key], key
    for student in ('r18', 'mobilenetv2'):
        cfg = _load(_plain(det, student, dataset))
        nwpu_student = _load(_plain(det, student, 'nwpu-lr2x')).model
        model = cfg.model.to_dict()
        for part in ('backbone', 'neck'):
            assert model.pop(part) == nwpu_student[part].to_dict(), part
        expected = teacher.model.to_dict()
        del expected['backbone'], expected['neck']
        assert model == expected
        for key in DATA_KEYS + ('optim_wrapper', 'param_scheduler'):
            assert cfg[key] == teacher[key], key


@pytest.mark.parametrize('name,cls_channels', [
    ('retinanet/retinanet_mobilenetv2_fpn_1xb2-12e_shiprsimagenet-l3.py',
     9 * 50),
    ('faster_rcnn/faster-rcnn_r18_fpn_1xb2-12e_sar-aircraft.py', 7 + 1),
])
def test_student_builds_with_the_data_set_classes(name, cls_channels):
    """One student per family builds; RetinaNet classifies 9 anchors x 50
    classes per location, Faster R-CNN's RoI head 7 classes + background
    with 4 box deltas per class."""
    import copy

    from mmdet.registry import MODELS
    from mmengine.registry import DefaultScope

    import mmrsod  # noqa: F401
    cfg = copy.deepcopy(_load(name).model)
    cfg.backbone.init_cfg = None  # nothing is downloaded in tests
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MODELS.build(cfg)
    if 'retinanet' in name:
        assert model.bbox_head.retina_cls.out_channels == cls_channels
    else:
        head = model.roi_head.bbox_head
        assert head.fc_cls.out_features == cls_channels
        assert head.fc_reg.out_features == 4 * 7


def test_ifkd_config_trains_on_its_data_pipeline(tmp_path):
    """End to end on one new-data-set config (Faster R-CNN MobileNetV2 <-
    R50, ShipRSImageNet-L3): two converted tiny images through the config's
    own train pipeline (resize scale reduced to 96 x 64 for speed, flip
    forced so the flip meta reaches EDE), its data pre-processor and the
    wrapper with a random teacher and a tiny random MobileSAM: every loss
    term is finite, both EDE features are cached, and the student's
    state-dict keys are the plain student's (so the export loads)."""
    import copy

    import torch
    from mmdet.registry import DATASETS as REGISTRY
    from mmdet.registry import MODELS
    from mmengine.dataset import pseudo_collate
    from mmengine.registry import DefaultScope

    import mmrsod  # noqa: F401
    from mmrsod.datasets.converters import convert_shiprsimagenet
    from mmrsod.testing import make_voc
    name = 'faster-rcnn_mobilenetv2_fpn_ifkd_r50_1xb2-12e_shiprsimagenet-l3.py'
    cfg = copy.deepcopy(_load(f'ifkd/{name}'))
    data_root = tmp_path / 'data'
    spec = make_voc(str(data_root), 'shiprsimagenet')
    convert_shiprsimagenet(spec['root'], str(data_root / 'shiprsimagenet'))
    data_cfg = cfg.train_dataloader.dataset
    data_cfg.data_root = str(data_root) + '/'
    assert data_cfg.pipeline[2].type == 'Resize'
    assert data_cfg.pipeline[3].type == 'RandomFlip'
    data_cfg.pipeline[2].scale = (96, 64)
    data_cfg.pipeline[3].prob = 1.0
    model_cfg = cfg.model
    model_cfg.teacher_ckpt = None
    model_cfg.allow_random_teacher = True
    model_cfg.student.backbone.init_cfg = None
    model_cfg.distill_losses.ifkd.ede = dict(
        allow_random=True,
        encoder=tiny_tiny_vit_cfg(neck_channels=256),
        img_size=64,
        cache_dir=str(tmp_path / 'cache'))
    with DefaultScope.overwrite_default_scope('mmdet'):
        dataset = REGISTRY.build(data_cfg)
        torch.manual_seed(0)
        model = MODELS.build(model_cfg)
        model.init_weights()
        plain = MODELS.build(cfg.model.student)
        batch = model.data_preprocessor(
            pseudo_collate([dataset[0], dataset[1]]), training=True)
        assert [s.flip for s in batch['data_samples']] == [True, True]
        model.train()
        losses = model.loss(batch['inputs'], batch['data_samples'])
    assert {'loss_rpn_cls', 'loss_cls', 'loss_ifkd_feat', 'loss_ifkd_head'
            } <= set(losses)
    for key, value in losses.items():
        values = value if isinstance(value, list) else [value]
        assert all(torch.isfinite(v).all() for v in values), key
    assert len(list((tmp_path / 'cache').rglob('*.pt'))) == 2
    assert model.teacher.roi_head.bbox_head.num_classes == 50
    student_keys = {
        k[len('student.'):]
        for k in model.state_dict() if k.startswith('student.')
    }
    assert student_keys == set(plain.state_dict())


@pytest.mark.parametrize('dataset', sorted(DATASETS))
def test_benchmark_input_shape_is_the_resize_scale(dataset):
    """The analysis tools' default input for whole-image configs: the
    largest (H, W) of mmdet's keep-ratio Resize to (w, h) = (1333, 800)."""
    from mmrsod.models.utils import input_shape_from_cfg
    cfg = _load(f'retinanet/retinanet_r18_fpn_1xb2-12e_{dataset}.py')
    assert input_shape_from_cfg(cfg) == (800, 1333)
    assert input_shape_from_cfg(cfg, [512]) == (512, 512)


@pytest.mark.parametrize('name', BASELINES[2:])
def test_fgd_frs_baseline_loss(name):
    """Each FGD / FRS config builds (random teacher) and one ``loss()`` on
    a 64 px batch of two images with two boxes gives its terms, all finite
    and positive; every distillation parameter (adapters, FGD's context
    blocks) gets a gradient and the teacher none."""
    import copy

    import torch
    from mmdet.registry import MODELS
    from mmdet.structures import DetDataSample
    from mmengine.registry import DefaultScope
    from mmengine.structures import InstanceData

    import mmrsod  # noqa: F401
    cfg = copy.deepcopy(_load(f'ifkd/{name}').model)
    cfg.student.backbone.init_cfg = None
    cfg.teacher_ckpt = None
    cfg.allow_random_teacher = True
    size = 64
    samples = []
    for i in range(2):
        sample = DetDataSample(
            metainfo=dict(
                img_path=f'img_{i}.png',
                img_shape=(size, size),
                ori_shape=(size, size),
                pad_shape=(size, size),
                batch_input_shape=(size, size),
                scale_factor=(1., 1.)))
        sample.gt_instances = InstanceData(
            bboxes=torch.tensor([[4., 6., 30., 40.], [20., 10., 60., 50.]]),
            labels=torch.tensor([1, 3]))
        samples.append(sample)
    with DefaultScope.overwrite_default_scope('mmdet'):
        torch.manual_seed(0)
        model = MODELS.build(cfg)
        model.init_weights()
        model.train()
        losses = model.loss(torch.randn(2, 3, size, size), samples)
    (loss_type, ) = [v.type for v in cfg.distill_losses.values()]
    keys = BASELINE_KEYS[loss_type]
    assert keys <= set(losses)
    assert all(torch.isfinite(losses[k]) and losses[k] > 0 for k in keys)
    total = sum(v.sum() if isinstance(v, torch.Tensor) else sum(v)
                for v in losses.values())
    total.backward()
    distill = [
        p for n, p in model.named_parameters() if not n.startswith('student.')
    ]
    assert distill
    assert all(p.grad is not None for p in distill)
    assert all(p.grad is None for p in model.teacher.parameters())

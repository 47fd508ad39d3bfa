# Copyright (c) mmrsod contributors. All rights reserved.
"""SOD (mmseg scope) and detection (mmdet scope) models in one process.

Each config's ``default_scope`` picks the registry that the runner builds
from (here: mmengine's root ``MODELS`` under
``DefaultScope.overwrite_default_scope``, as ``Runner`` does). mmrsod's SOD
modules live in mmseg's registries, its detection modules in mmdet's, and
shared blocks in mmengine's root registry, the parent of both: a child
registry that does not know a type asks its parent.
"""
from pathlib import Path

import torch
from mmdet.registry import MODELS as MMDET_MODELS
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope
from mmseg.registry import MODELS as MMSEG_MODELS

import mmrsod.models  # noqa: F401  (registers the modules)
from mmrsod.models import EDSRBlock

CONFIGS = Path(__file__).resolve().parents[2] / 'configs'


def test_sod_and_detection_models_build_and_run_side_by_side(tmp_path):
    sod_cfg = Config.fromfile(str(CONFIGS / '_base_/models/sral_r18.py'))
    sod_cfg.model.backbone.init_cfg = None
    det_file = tmp_path / 'det.py'  # a user config inheriting mmdet's
    det_file.write_text(
        "_base_ = 'mmdet::retinanet/retinanet_r18_fpn_1x_coco.py'\n")
    det_cfg = Config.fromfile(str(det_file))
    det_cfg.model.backbone.init_cfg = None
    assert det_cfg.default_scope == 'mmdet'

    with DefaultScope.overwrite_default_scope('mmseg'):
        sod = MODELS.build(sod_cfg.model).eval()
    with DefaultScope.overwrite_default_scope('mmdet'):
        det = MODELS.build(det_cfg.model).eval()
    assert type(sod).__name__ == 'SRALSegmentor'
    assert type(det).__name__ == 'RetinaNet'
    assert type(det.data_preprocessor).__name__ == 'DetDataPreprocessor'

    with torch.no_grad():
        sal = sod(torch.rand(1, 3, 64, 64), mode='tensor')
        cls_scores, _ = det(torch.rand(1, 3, 64, 64), mode='tensor')
    # SRAL: one saliency map at 2x the (LR) input size
    assert [tuple(t.shape) for t in sal] == [(1, 1, 128, 128)]
    # RetinaNet: 5 FPN levels, 9 anchors x 80 classes, stride 8 first
    assert len(cls_scores) == 5
    assert cls_scores[0].shape == (1, 9 * 80, 8, 8)


def test_shared_block_is_reachable_from_both_scopes():
    assert 'EDSRBlock' in MODELS.module_dict
    assert 'EDSRBlock' not in MMSEG_MODELS.module_dict
    assert 'EDSRBlock' not in MMDET_MODELS.module_dict
    x = torch.rand(1, 8, 6, 6)
    for scope in ('mmseg', 'mmdet'):
        with DefaultScope.overwrite_default_scope(scope):
            block = MODELS.build(
                dict(type='EDSRBlock', in_channels=8, out_channels=4))
            # the scope's own registry falls back to its parent
            child = MMDET_MODELS if scope == 'mmdet' else MMSEG_MODELS
            assert child.get('EDSRBlock') is EDSRBlock
        assert isinstance(block, EDSRBlock)
        assert block(x).shape == (1, 4, 6, 6)

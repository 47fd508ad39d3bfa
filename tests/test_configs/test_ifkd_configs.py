# Copyright (c) mmrsod contributors. All rights reserved.
"""configs/ifkd: each distillation config's student is exactly its plain
student config's model (so the exported student loads into it), and its
teacher config exists; the FGD/FRS baselines build and run one ``loss()``
with a random teacher on a 64 px batch."""
import copy
import functools
from pathlib import Path

import pytest
import torch
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.structures import InstanceData

import mmrsod.models  # noqa: F401  (registers the wrapper and losses)

REPO = Path(__file__).resolve().parents[2]
IFKD = REPO / 'configs' / 'ifkd'
# config -> (plain student config, distill loss types)
EXPECTED = {
    'retinanet_r18_fpn_fitnet_r50_1xb2-12e_nwpu-lr2x.py':
    ('retinanet/retinanet_r18_fpn_1xb2-12e_nwpu-lr2x.py', ['FitNetLoss']),
    'retinanet_r18_fpn_at_r50_1xb2-12e_nwpu-lr2x.py':
    ('retinanet/retinanet_r18_fpn_1xb2-12e_nwpu-lr2x.py', ['ATLoss']),
    'faster-rcnn_r18_fpn_fitnet_r50_1xb2-12e_nwpu-lr2x.py':
    ('faster_rcnn/faster-rcnn_r18_fpn_1xb2-12e_nwpu-lr2x.py', ['FitNetLoss']),
    'retinanet_r18_fpn_fgd_r50_1xb2-12e_nwpu-lr2x.py':
    ('retinanet/retinanet_r18_fpn_1xb2-12e_nwpu-lr2x.py', ['FGDLoss']),
    'retinanet_r18_fpn_frs_r50_1xb2-12e_nwpu-lr2x.py':
    ('retinanet/retinanet_r18_fpn_1xb2-12e_nwpu-lr2x.py', ['FRSLoss']),
    'faster-rcnn_r18_fpn_fgd_r50_1xb2-12e_nwpu-lr2x.py':
    ('faster_rcnn/faster-rcnn_r18_fpn_1xb2-12e_nwpu-lr2x.py', ['FGDLoss']),
    'faster-rcnn_r18_fpn_frs_r50_1xb2-12e_nwpu-lr2x.py':
    ('faster_rcnn/faster-rcnn_r18_fpn_1xb2-12e_nwpu-lr2x.py', ['FRSLoss']),
}
# distillation loss keys each baseline config adds to ``loss()``
BASELINE_KEYS = {
    'FGDLoss':
    {'loss_fgd_fg', 'loss_fgd_bg', 'loss_fgd_mask', 'loss_fgd_global'},
    'FRSLoss': {'loss_frs_feat', 'loss_frs_head'},
}
SIZE = 64


@functools.lru_cache(maxsize=None)
def load(path: str) -> Config:
    """Parse a config once per session (callers must not modify it)."""
    return Config.fromfile(path)


@pytest.mark.parametrize('name', sorted(EXPECTED))
def test_ifkd_config(name):
    cfg = load(str(IFKD / name))
    plain, losses = EXPECTED[name]
    model = cfg.model
    assert model.type == 'DistillationDetector'
    assert model.student == load(str(REPO / 'configs' / plain)).model
    assert (REPO / model.teacher_config).is_file()
    assert 'r50' in model.teacher_config
    assert [v.type for v in model.distill_losses.values()] == losses
    # FitNet and FRS regress through the adapters; AT compares channel
    # sums; FGD aligns only when channel counts differ (256 = 256)
    assert (model.adapters
            is not None) == bool({'FitNetLoss', 'FRSLoss'} & set(losses))


def samples(num: int = 2):
    out = []
    for i in range(num):
        s = DetDataSample(
            metainfo=dict(
                img_path=f'img_{i}.png',
                img_shape=(SIZE, SIZE),
                ori_shape=(SIZE, SIZE),
                pad_shape=(SIZE, SIZE),
                batch_input_shape=(SIZE, SIZE),
                scale_factor=(1., 1.)))
        s.gt_instances = InstanceData(
            bboxes=torch.tensor([[4., 6., 30., 40.], [20., 10., 60., 50.]]),
            labels=torch.tensor([1, 3]))
        out.append(s)
    return out


@pytest.mark.parametrize('name',
                         sorted(n for n, (_, losses) in EXPECTED.items()
                                if set(losses) & set(BASELINE_KEYS)))
def test_ifkd_baseline_config_loss(name):
    cfg = copy.deepcopy(load(str(IFKD / name)).model)
    cfg.student.backbone.init_cfg = None
    cfg.teacher_ckpt = None
    cfg.allow_random_teacher = True
    with DefaultScope.overwrite_default_scope('mmdet'):
        torch.manual_seed(0)
        model = MODELS.build(cfg)
        model.init_weights()
        model.train()
        losses = model.loss(torch.randn(2, 3, SIZE, SIZE), samples())
    (loss_type, ) = EXPECTED[name][1]
    keys = BASELINE_KEYS[loss_type]
    assert keys <= set(losses)
    assert all(torch.isfinite(losses[k]) and losses[k] > 0 for k in keys)
    total = sum(v.sum() if isinstance(v, torch.Tensor) else sum(v)
                for v in losses.values())
    total.backward()
    distill = [
        p for n, p in model.named_parameters() if not n.startswith('student.')
    ]
    assert all(p.grad is not None for p in distill)
    assert all(p.grad is None for p in model.teacher.parameters())

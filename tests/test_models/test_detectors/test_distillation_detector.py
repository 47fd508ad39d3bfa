# Copyright (c) mmrsod contributors. All rights reserved.
"""DistillationDetector: the teacher stays out of the state dict, the
parameters and the optimizer, stays in eval mode and moves with the
student; one ``loss()`` for RetinaNet and Faster R-CNN R18 <- R50 at 64 px
with the distillation terms equal to the losses recomputed from the
detectors' own features."""
import copy
from pathlib import Path

import pytest
import torch
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope
from mmengine.structures import InstanceData

from mmrsod.models import DistillationDetector
from mmrsod.models.losses import ATLoss
from mmrsod.testing import tiny_tiny_vit_cfg
from mmrsod.utils import ConfigError

CONFIGS = Path(__file__).resolve().parents[3] / 'configs'
RETINA_S = CONFIGS / 'retinanet' / 'retinanet_r18_fpn_1xb2-12e_nwpu-lr2x.py'
RETINA_T = 'configs/retinanet/retinanet_r50_fpn_1xb2-12e_nwpu-lr2x.py'
FRCNN_S = CONFIGS / 'faster_rcnn' / 'faster-rcnn_r18_fpn_1xb2-12e_nwpu-lr2x.py'
FRCNN_T = 'configs/faster_rcnn/faster-rcnn_r50_fpn_1xb2-12e_nwpu-lr2x.py'
SIZE = 64


@pytest.fixture(autouse=True)
def mmdet_scope(mmseg_default_scope):
    with DefaultScope.overwrite_default_scope('mmdet'):
        yield


def student_cfg(path: Path) -> dict:
    cfg = copy.deepcopy(Config.fromfile(str(path)).model)
    cfg.backbone.init_cfg = None
    return cfg


def wrapper_cfg(student: Path, teacher: str, **kwargs) -> dict:
    cfg = dict(
        type='DistillationDetector',
        student=student_cfg(student),
        teacher_config=teacher,
        teacher_ckpt=None,
        allow_random_teacher=True,
        adapters=dict(in_channels=256, out_channels=256, num_levels=5),
        distill_losses=dict(
            fitnet=dict(type='FitNetLoss', loss_weight=0.5),
            at=dict(type='ATLoss', loss_weight=2.0)))
    cfg.update(kwargs)
    return cfg


def build(cfg: dict) -> DistillationDetector:
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


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


@pytest.fixture(scope='module')
def retina():
    with DefaultScope.overwrite_default_scope('mmdet'):
        return build(wrapper_cfg(RETINA_S, RETINA_T))


def test_teacher_outside_state_dict_params_optimizer(retina):
    student = retina.student
    teacher_ids = {id(p) for p in retina.teacher.parameters()}
    assert len(teacher_ids) > 0
    keys = retina.state_dict().keys()
    assert not any(k.startswith('teacher') for k in keys)
    prefixes = {k.split('.')[0] for k in keys}
    assert prefixes == {'student', 'adapters'}
    params = list(retina.parameters())
    n_adapt = 5 * (256 * 256 * 9 + 256)
    assert sum(p.numel() for p in params) == (
        sum(p.numel() for p in student.parameters()) + n_adapt)
    assert not teacher_ids & {id(p) for p in params}
    assert all(not p.requires_grad for p in retina.teacher.parameters())
    optim = build_optim_wrapper(retina,
                                dict(optimizer=dict(type='SGD', lr=0.01)))
    in_optim = {
        id(p)
        for g in optim.optimizer.param_groups for p in g['params']
    }
    assert in_optim == {id(p) for p in params}
    # train() keeps the teacher in eval mode
    retina.train()
    assert retina.student.training and not retina.teacher.training
    assert not any(m.training for m in retina.teacher.modules())


def test_apply_moves_teacher(retina):
    retina.to(torch.float64)
    try:
        assert next(retina.teacher.parameters()).dtype == torch.float64
        assert next(retina.student.parameters()).dtype == torch.float64
    finally:
        retina.to(torch.float32)
    assert next(retina.teacher.parameters()).dtype == torch.float32


def test_retinanet_loss_matches_recomputed(retina):
    retina.train()
    torch.manual_seed(1)
    inputs = torch.randn(2, 3, SIZE, SIZE)
    data = samples()
    losses = retina.loss(inputs, data)
    assert {'loss_cls', 'loss_bbox', 'loss_fitnet', 'loss_at'} <= set(losses)
    with torch.no_grad():
        s_feats = retina.student.extract_feat(inputs)
        t_feats = retina.teacher.extract_feat(inputs)
        fit = sum(((a(s) - t)**2).mean()
                  for a, s, t in zip(retina.adapters, s_feats, t_feats))
        from types import SimpleNamespace
        at = ATLoss(loss_weight=2.0)(
            SimpleNamespace(student_feats=s_feats, teacher_feats=t_feats))
    assert losses['loss_fitnet'].item() == pytest.approx(
        0.5 * fit.item(), rel=1e-5)
    assert losses['loss_at'].item() == pytest.approx(at.item(), rel=1e-5)
    total = sum(v.sum() if isinstance(v, torch.Tensor) else sum(v)
                for v in losses.values())
    total.backward()
    assert retina.adapters[0].weight.grad is not None
    assert retina.student.backbone.layer4[0].conv1.weight.grad is not None
    assert all(p.grad is None for p in retina.teacher.parameters())
    retina.zero_grad()


def test_context_faster_rcnn_rpn_objectness():
    seen = {}

    class Probe(torch.nn.Module):

        def forward(self, ctx):
            seen['ctx'] = ctx
            return ctx.student_cls[0].sum() * 0

    MODELS.register_module('_ProbeDistillLoss', module=Probe, force=True)
    model = build(
        wrapper_cfg(
            FRCNN_S,
            FRCNN_T,
            distill_losses=dict(
                at=dict(type='ATLoss'), probe=dict(type='_ProbeDistillLoss'))))
    model.train()
    losses = model.loss(torch.randn(2, 3, SIZE, SIZE), samples())
    assert {'loss_rpn_cls', 'loss_cls', 'loss_at', 'loss_probe'} <= set(losses)
    ctx = seen['ctx']
    # RPN objectness: 3 anchors per location, strides 4..64 on 64 px
    assert [tuple(c.shape) for c in ctx.student_cls] == [(2, 3, 16, 16),
                                                         (2, 3, 8, 8),
                                                         (2, 3, 4, 4),
                                                         (2, 3, 2, 2),
                                                         (2, 3, 1, 1)]
    assert [c.shape
            for c in ctx.teacher_cls] == [c.shape for c in ctx.student_cls]
    assert ctx.img_paths == ['img_0.png', 'img_1.png']
    assert ctx.student_feats_adapted[0].shape == (2, 256, 16, 16)


def test_teacher_checkpoint_loaded_strictly(tmp_path, retina):
    torch.manual_seed(3)
    state = {
        k: torch.randn_like(v) if v.is_floating_point() else v
        for k, v in retina.teacher.state_dict().items()
    }
    ckpt = tmp_path / 'teacher.pth'
    torch.save(dict(state_dict=state, meta=dict()), ckpt)
    model = build(
        wrapper_cfg(
            RETINA_S,
            RETINA_T,
            teacher_ckpt=str(ckpt),
            allow_random_teacher=False,
            adapters=None,
            distill_losses={}))
    for k, v in state.items():
        assert torch.equal(model.teacher.state_dict()[k], v), k
    # a RetinaNet checkpoint does not fit a Faster R-CNN teacher
    with pytest.raises(ConfigError, match='does not match'):
        DistillationDetector._build_teacher(FRCNN_T, str(ckpt))


def test_refusals():
    with pytest.raises(ConfigError, match='teacher_ckpt is None'):
        build(wrapper_cfg(RETINA_S, RETINA_T, allow_random_teacher=False))
    with pytest.raises(ConfigError, match='not found'):
        build(wrapper_cfg(RETINA_S, 'configs/nope.py'))


@pytest.fixture
def warmup4(retina):
    retina.warmup_iters, retina._distill_iter = 4, None
    yield retina
    retina.warmup_iters, retina._distill_iter = 0, None


def test_warmup_factor(warmup4):
    model = warmup4
    with pytest.raises(ConfigError, match='DistillWarmupHook'):
        model.distill_factor
    model.set_distill_iter(0)
    assert model.distill_factor == 0.25
    model.set_distill_iter(2)
    assert model.distill_factor == 0.75
    model.set_distill_iter(10)
    assert model.distill_factor == 1.0


def test_warmup_hook_sets_iter(warmup4):
    from types import SimpleNamespace

    from mmrsod.engine import DistillWarmupHook
    DistillWarmupHook().before_train_iter(
        SimpleNamespace(model=warmup4, iter=1), 0)
    assert warmup4.distill_factor == 0.5


def test_load_teacher_config_mmdet_hub_path():
    from mmrsod.models.detectors.distillation_detector import \
        load_teacher_config
    cfg = load_teacher_config('mmdet::retinanet/retinanet_r18_fpn_1x_coco.py')
    assert cfg.model.type == 'RetinaNet'
    assert cfg.model.backbone.depth == 18
    with pytest.raises(ConfigError, match='model.teacher_config'):
        load_teacher_config('mmdet::retinanet/nope.py')


# EDE adds its features to the 256-channel FPN maps
TINY_SAM = tiny_tiny_vit_cfg(neck_channels=256)


@pytest.mark.parametrize('student,teacher,head_key', [
    (RETINA_S, RETINA_T, 'loss_cls'),
    (FRCNN_S, FRCNN_T, 'loss_rpn_cls'),
])
def test_ifkd_config_loss_one_and_two_stage(student, teacher, head_key,
                                            tmp_path):
    """The NWPU IFKD config's loss on a RetinaNet and a Faster R-CNN
    student (tiny random MobileSAM, cache in tmp): every term present,
    the spectral filters get gradients, neither the teacher nor MobileSAM
    is in the state dict."""
    ifkd = copy.deepcopy(
        Config.fromfile(
            str(CONFIGS / 'ifkd' /
                'retinanet_r18_fpn_ifkd_r50_1xb2-12e_nwpu-lr2x.py')).model.
        distill_losses)
    ifkd.ifkd.ede = dict(
        allow_random=True,
        encoder=TINY_SAM,
        img_size=64,
        cache_dir=str(tmp_path / 'cache'))
    model = build(wrapper_cfg(student, teacher, distill_losses=ifkd.to_dict()))
    model.train()
    inputs = torch.randn(2, 3, SIZE, SIZE)
    losses = model.loss(inputs, samples())
    assert {head_key, 'loss_ifkd_feat', 'loss_ifkd_head'} <= set(losses)
    assert torch.isfinite(losses['loss_ifkd_feat'])
    assert len(list((tmp_path / 'cache').rglob('*.pt'))) == 2
    total = losses['loss_ifkd_feat'] + losses['loss_ifkd_head']
    total.backward()
    fdr = model.distill_losses['ifkd'].fdr
    # every filter is in the graph (DDP needs no unused parameters); a
    # 1 x 1 level (strides 64 and 128 at 64 px) has one bin, whose
    # mean-normalised gain is fixed at 1, so its gradient is exactly 0
    sizes = [f.shape[-2] * f.shape[-1] for f in model.extract_feat(inputs)]
    grads = [f.grad.abs().sum().item() for f in fdr.filters]
    assert [g > 0 for g in grads] == [n > 1 for n in sizes], (sizes, grads)
    assert model.adapters[0].weight.grad.abs().sum() > 0
    keys = set(model.state_dict())
    assert not any('sam_encoder' in k or k.startswith('teacher') for k in keys)
    assert {f'distill_losses.ifkd.fdr.filters.{i}' for i in range(5)} <= keys

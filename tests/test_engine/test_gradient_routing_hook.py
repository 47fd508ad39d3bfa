# Copyright (c) mmrsod contributors. All rights reserved.
"""GradientRoutingHook in a real mmengine Runner: a tiny detector-like
model with the SR branch of SRBranchMixin (a 4-map conv backbone and a tiny
SwinUNetSRHead), AdamW with the SDCoNet lr multipliers, 4 epochs with
``detection_epochs=2``; resume in both stages; misconfigurations."""
import copy
from types import SimpleNamespace
from typing import Dict, List, Optional

import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.hooks import Hook
from mmengine.model import BaseModel
from mmengine.registry import DefaultScope
from mmengine.runner import Runner
from mmengine.structures import PixelData
from torch import nn

import mmrsod.engine  # noqa: F401  (registers the hook)
import mmrsod.models  # noqa: F401
from mmrsod.models.detectors import SRBranchMixin
from mmrsod.utils.errors import ConfigError

LR = 1e-3
RHO = 0.5
SR_HEAD = dict(
    type='SwinUNetSRHead',
    in_channels=(8, 16, 32, 64),
    depths=(1, 1, 1),
    num_heads=(2, 2, 1),
    window_size=2,
    dec_channels=8)


class TinyBackbone(nn.Module):
    """Four maps at strides 4, 8, 16, 32."""

    def __init__(self) -> None:
        super().__init__()
        self.out_indices = (0, 1, 2, 3)
        self.stages = nn.ModuleList([
            nn.Conv2d(3, 8, 4, stride=4),
            nn.Conv2d(8, 16, 2, stride=2),
            nn.Conv2d(16, 32, 2, stride=2),
            nn.Conv2d(32, 64, 2, stride=2)
        ])

    def forward(self, x: torch.Tensor) -> tuple:
        outs = []
        for stage in self.stages:
            x = stage(x)
            outs.append(x)
        return tuple(outs)


class TinySRDetector(SRBranchMixin, BaseModel):
    """A 'detector' whose loss is a regression of a pooled feature plus
    the SR loss of the mixin."""

    with_neck = False

    def __init__(self, sr_head: Optional[dict] = SR_HEAD) -> None:
        super().__init__()
        self.backbone = TinyBackbone()
        self.head = nn.Linear(16 + 32 + 64, 1)
        self._init_sr_branch(sr_head, neck_in_indices=(1, 2, 3))

    def forward(self, inputs, data_samples=None, mode='tensor'):
        x = torch.stack(inputs)
        feats = self.backbone(x)
        pooled = torch.cat([f.mean((2, 3)) for f in self.neck_features(feats)],
                           dim=1)
        pred = self.head(pooled).squeeze(1)
        target = torch.stack([s.metainfo['target'] for s in data_samples])
        losses = dict(loss_det=((pred - target)**2).mean())
        losses.update(self.loss_sr(feats, data_samples))
        return losses


def make_dataset(num: int = 4) -> List[Dict]:
    gen = torch.Generator().manual_seed(0)
    items = []
    for _ in range(num):
        sample = DetDataSample(
            metainfo=dict(
                img_shape=(32, 32),
                batch_input_shape=(32, 32),
                sr_scale=2,
                target=torch.rand((), generator=gen)))
        sample.gt_sr = PixelData(data=torch.rand(3, 64, 64, generator=gen))
        items.append(
            dict(
                inputs=torch.rand(3, 32, 32, generator=gen),
                data_samples=sample))
    return items


class RecordHook(Hook):
    """Records the SR state per epoch and snapshots of the SR weights."""

    priority = 'LOW'  # after GradientRoutingHook (NORMAL)

    def __init__(self) -> None:
        self.stages = {}
        self.sr_weights = {}

    def before_train(self, runner) -> None:
        self.sr_weights['start'] = sr_state(runner.model)

    def before_train_epoch(self, runner) -> None:
        model = runner.model
        grads = {p.requires_grad for p in model.sr_parameters()}
        self.stages[runner.epoch] = (model.sr_active, grads)

    def after_train_epoch(self, runner) -> None:
        self.sr_weights[runner.epoch] = sr_state(runner.model)


def sr_state(model) -> Dict[str, torch.Tensor]:
    return {
        k: v.detach().clone()
        for k, v in model.state_dict().items() if k.startswith('sr_head.')
    }


def make_runner(work_dir, model=None, hooks=(), **kwargs) -> Runner:
    torch.manual_seed(0)
    cfg = dict(
        model=model if model is not None else TinySRDetector(),
        work_dir=str(work_dir),
        train_dataloader=dict(
            dataset=make_dataset(),
            sampler=dict(type='DefaultSampler', shuffle=False),
            batch_size=2,
            num_workers=0),
        optim_wrapper=dict(
            optimizer=dict(type='AdamW', lr=LR, weight_decay=1e-4),
            clip_grad=dict(max_norm=0.1, norm_type=2),
            paramwise_cfg=dict(custom_keys={
                'sr_head': dict(lr_mult=RHO),
                'backbone': dict(lr_mult=0.1)
            })),
        train_cfg=dict(by_epoch=True, max_epochs=4),
        custom_hooks=[dict(type='GradientRoutingHook', detection_epochs=2)] +
        list(hooks),
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', interval=1),
            logger=dict(type='LoggerHook', interval=1)),
        default_scope='mmdet',
        randomness=dict(seed=0),
        log_level='WARNING')
    cfg.update(kwargs)
    return Runner(**cfg)


@pytest.fixture(autouse=True)
def mmdet_scope():
    with DefaultScope.overwrite_default_scope('mmdet'):
        yield


@pytest.fixture(scope='module')
def full_run(tmp_path_factory):
    """The uninterrupted 4-epoch run."""
    work = tmp_path_factory.mktemp('routing')
    record = RecordHook()
    with DefaultScope.overwrite_default_scope('mmdet'):
        runner = make_runner(work, hooks=[record])
        runner.train()
    return runner, record, work


def test_sr_frozen_in_stage_1_trained_in_stage_2(full_run):
    runner, record, _ = full_run
    # stage from the epoch: 0, 1 detection only; 2, 3 with SR
    assert record.stages == {
        0: (False, {False}),
        1: (False, {False}),
        2: (True, {True}),
        3: (True, {True})
    }
    start = record.sr_weights['start']
    for epoch in (0, 1):  # snapshots at the end of epochs 1 and 2
        assert all(
            torch.equal(start[k], v)
            for k, v in record.sr_weights[epoch].items())
    changed = [
        k for k, v in record.sr_weights[3].items()
        if not torch.equal(start[k], v)
    ]
    # every SR tensor trains in stage 2 (the relative position tables of
    # the Swin blocks are buffers, not in the state dict's parameters)
    params = dict(runner.model.named_parameters())
    sr_param_keys = [k for k in start if k in params]
    assert sorted(changed) == sorted(sr_param_keys)


def test_lr_groups(full_run):
    runner, _, _ = full_run
    model = runner.model
    lr_of = {}
    for group in runner.optim_wrapper.optimizer.param_groups:
        for p in group['params']:
            lr_of[id(p)] = group['lr']
    for name, p in model.named_parameters():
        expected = (
            RHO * LR if name.startswith('sr_head.') else 0.1 *
            LR if name.startswith('backbone.') else LR)
        assert lr_of[id(p)] == pytest.approx(expected, rel=1e-12), name
    assert len(lr_of) == len(list(model.parameters()))


@pytest.mark.parametrize('epoch, stage_active', [(1, False), (3, True)])
def test_resume_in_either_stage(full_run, tmp_path, epoch, stage_active):
    full_runner, _, work = full_run
    record = RecordHook()
    runner = make_runner(
        tmp_path,
        hooks=[record],
        load_from=str(work / f'epoch_{epoch}.pth'),
        resume=True)
    runner.train()
    assert record.stages[epoch] == (stage_active, {stage_active})
    assert sorted(record.stages) == list(range(epoch, 4))
    final = runner.model.state_dict()
    reference = full_runner.model.state_dict()
    assert final.keys() == reference.keys()
    for key, value in reference.items():
        assert torch.equal(final[key], value), key


def test_sr_params_left_out_of_the_optimizer(tmp_path):
    model = TinySRDetector()
    model.set_sr_active(False)  # frozen before the optimizer is built
    runner = make_runner(tmp_path, model=model)
    with pytest.raises(
            ConfigError,
            match=r'SR parameters \(e.g. sr_head\..*'
            r'not in the optimizer.*requires_grad=False'):
        runner.train()


def test_iteration_based_loop(tmp_path):
    runner = make_runner(tmp_path, train_cfg=dict(by_epoch=False, max_iters=2))
    with pytest.raises(ConfigError, match='EpochBasedTrainLoop'):
        runner.train()


def test_no_sr_head(tmp_path):
    runner = make_runner(tmp_path, model=TinySRDetector(sr_head=None))
    with pytest.raises(ConfigError, match='model.sr_head is None'):
        runner.train()


def test_model_without_sr_branch(tmp_path):

    class Plain(BaseModel):

        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(1, 1)

        def forward(self, inputs, data_samples=None, mode='tensor'):
            return dict(loss=self.lin.weight.sum())

    runner = make_runner(tmp_path, model=Plain())
    with pytest.raises(ConfigError, match='Plain has no SR branch'):
        runner.train()


def test_bad_detection_epochs():
    from mmrsod.engine import GradientRoutingHook
    with pytest.raises(ConfigError, match='detection_epochs'):
        GradientRoutingHook(detection_epochs=-1)
    assert copy.copy(GradientRoutingHook(3)).detection_epochs == 3


@pytest.mark.parametrize('find_unused', [False, True])
def test_ddp_needs_find_unused_parameters(tmp_path, find_unused):
    """A real DDP wrapper in a one-process gloo group (the 2-process run is
    tests/test_tools/test_dist_sdconet_routing.py)."""
    import torch.distributed as dist
    from mmengine.model import MMDistributedDataParallel
    from mmengine.optim import OptimWrapper
    from mmengine.runner import EpochBasedTrainLoop

    from mmrsod.engine import GradientRoutingHook
    dist.init_process_group(
        'gloo',
        init_method=(tmp_path / 'store').as_uri(),
        rank=0,
        world_size=1)
    try:
        model = MMDistributedDataParallel(
            module=TinySRDetector(), find_unused_parameters=find_unused)
        runner = SimpleNamespace(
            model=model,
            # only its type is read
            train_loop=EpochBasedTrainLoop.__new__(EpochBasedTrainLoop),
            optim_wrapper=OptimWrapper(
                torch.optim.AdamW(model.parameters(), lr=LR)),
            max_epochs=4)
        hook = GradientRoutingHook(detection_epochs=2)
        if find_unused:
            hook.before_train(runner)
        else:
            with pytest.raises(
                    ConfigError, match='set find_unused_parameters=True'):
                hook.before_train(runner)
    finally:
        dist.destroy_process_group()

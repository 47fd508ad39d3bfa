# Copyright (c) mmrsod contributors. All rights reserved.
"""Test-only hook: every rank writes what it saw (world size, iterations,
whether the model is DDP-wrapped) so the DDP test can check all ranks ran."""
import json
import os.path as osp

from mmengine.dist import get_rank, get_world_size
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS


@HOOKS.register_module()
class RankProbeHook(Hook):
    """Write ``rank_<r>.json`` to the work dir after training."""

    def __init__(self) -> None:
        self.iters = 0

    def after_train_iter(self,
                         runner,
                         batch_idx,
                         data_batch=None,
                         outputs=None) -> None:
        self.iters += 1

    def after_train(self, runner) -> None:
        model = runner.model
        info = dict(
            rank=get_rank(),
            world_size=get_world_size(),
            iters=self.iters,
            wrapper=type(model).__name__,
            is_wrapped=is_model_wrapper(model))
        path = osp.join(runner.work_dir, f'rank_{get_rank()}.json')
        with open(path, 'w') as f:
            json.dump(info, f)


def _module(runner):
    model = runner.model
    return model.module if is_model_wrapper(model) else model


@HOOKS.register_module()
class StateDumpHook(Hook):
    """Save each rank's full state dict (parameters and buffers) before and
    after training: ``state_<when>_rank<r>.pth`` in the work dir."""

    priority = 'LOWEST'

    def _dump(self, runner, when: str) -> None:
        import torch
        state = {
            k: v.detach().clone()
            for k, v in _module(runner).state_dict().items()
        }
        torch.save(
            state,
            osp.join(runner.work_dir, f'state_{when}_rank{get_rank()}.pth'))

    def before_train(self, runner) -> None:
        self._dump(runner, 'init')

    def after_train(self, runner) -> None:
        self._dump(runner, 'final')


@HOOKS.register_module()
class FrozenBNHook(Hook):
    """Keep every BatchNorm layer in eval mode (running statistics, which
    stay at their init), so a batch split across processes normalises
    exactly like the whole batch in one process."""

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        from torch.nn.modules.batchnorm import _BatchNorm
        for module in _module(runner).modules():
            if isinstance(module, _BatchNorm):
                module.eval()


@HOOKS.register_module()
class SRWeightProbeHook(Hook):
    """Record the SR loss weight at the moment ``loss_by_feat`` runs, per
    iteration: ``sr_weights_rank<r>.json`` = [[iter, weight], ...]."""

    def __init__(self) -> None:
        self.records = []

    def before_train(self, runner) -> None:
        head = _module(runner).sr_head
        original = head.loss_by_feat

        def probed(*args, **kwargs):
            self.records.append([runner.iter, head.current_loss_weight()])
            return original(*args, **kwargs)

        head.loss_by_feat = probed

    def after_train(self, runner) -> None:
        path = osp.join(runner.work_dir, f'sr_weights_rank{get_rank()}.json')
        with open(path, 'w') as f:
            json.dump(self.records, f)

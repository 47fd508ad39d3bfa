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

    def after_train_iter(self, runner, batch_idx, data_batch=None,
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

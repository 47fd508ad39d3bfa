# Copyright (c) mmrsod contributors. All rights reserved.
"""Linear warm-up of the distillation loss weights (FRS-style)."""
from typing import Optional, Sequence

from mmdet.registry import HOOKS
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

__all__ = ['DistillWarmupHook']


@HOOKS.register_module()
class DistillWarmupHook(Hook):
    """Give :class:`~mmrsod.models.DistillationDetector` the iteration.

    Before every training iteration the model's ``set_distill_iter`` gets
    ``runner.iter`` (restored on resume); the model then scales every
    distillation loss by ``min(1, (iter + 1) / warmup_iters)``. Models
    without ``set_distill_iter`` are left alone.
    """

    priority = 'NORMAL'

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: Optional[Sequence[dict]] = None) -> None:
        """Pass ``runner.iter`` to the model.

        Args:
            runner (Runner): The training runner.
            batch_idx (int): Index of the batch in the epoch.
            data_batch (Sequence[dict], optional): The batch.
        """
        model = runner.model
        if is_model_wrapper(model):
            model = model.module
        if hasattr(model, 'set_distill_iter'):
            model.set_distill_iter(runner.iter)

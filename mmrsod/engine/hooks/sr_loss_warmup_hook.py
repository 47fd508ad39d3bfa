# Copyright (c) mmrsod contributors. All rights reserved.
"""Epoch-based warm-up of the SR loss weight (SRAL's first epoch)."""
from typing import Optional, Sequence

from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.runner import EpochBasedTrainLoop
from mmseg.registry import HOOKS

__all__ = ['SRLossWarmupHook']


@HOOKS.register_module()
class SRLossWarmupHook(Hook):
    """Train the first epochs with a different SR loss weight.

    The SRAL authors train epoch 0 with the SR loss weight 1 instead of
    lambda_2 = 100. Before every training iteration this hook computes the
    current epoch from the runner and sets the SR head's
    ``loss_weight_override`` to ``warmup_loss_weight`` while the epoch is
    below ``warmup_epochs``, and back to None (the head's own
    ``loss_weight``) afterwards. The epoch is ``runner.epoch`` under an
    :class:`EpochBasedTrainLoop` and ``runner.iter // len(
    runner.train_dataloader)`` under an iteration-based loop; both are
    restored on resume and count the batches of one process, so the
    warm-up lasts one epoch of data for any batch size and any number of
    processes. The weight in use is logged as ``sr_weight`` (mmengine's
    log processor would average a key with "loss" in its name over its
    window).

    A model without the SR head (e.g. the TSDD-only configs that share the
    SRAL schedule) is left alone.

    Args:
        warmup_epochs (int): Epochs trained with ``warmup_loss_weight``.
            Defaults to 1.
        warmup_loss_weight (float): SR loss weight during the warm-up.
            Defaults to 1.0.
        head (str): Attribute of the model holding the SR head.
            Defaults to ``'sr_head'``.
    """

    priority = 'NORMAL'

    def __init__(self,
                 warmup_epochs: int = 1,
                 warmup_loss_weight: float = 1.0,
                 head: str = 'sr_head') -> None:
        if warmup_epochs < 0:
            raise ValueError('SRLossWarmupHook: `warmup_epochs` must be >= '
                             f'0, got {warmup_epochs}')
        self.warmup_epochs = warmup_epochs
        self.warmup_loss_weight = warmup_loss_weight
        self.head = head

    def _sr_head(self, runner):
        """The SR head of the runner's model, or None."""
        model = runner.model
        if is_model_wrapper(model):
            model = model.module
        return getattr(model, self.head, None)

    def before_train(self, runner) -> None:
        """Say once when there is nothing to warm up.

        Args:
            runner (Runner): The runner of the training process.
        """
        if self._sr_head(runner) is None:
            print_log(
                f'SRLossWarmupHook: the model has no `{self.head}`; the '
                'hook does nothing',
                logger='current')

    @staticmethod
    def current_epoch(runner) -> int:
        """Epoch of the iteration about to run (0-based).

        Args:
            runner (Runner): The runner of the training process.

        Returns:
            int: ``runner.epoch`` for epoch-based loops, else
            ``runner.iter // len(runner.train_dataloader)``.
        """
        if isinstance(runner.train_loop, EpochBasedTrainLoop):
            return runner.epoch
        return runner.iter // len(runner.train_dataloader)

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: Optional[Sequence[dict]] = None) -> None:
        """Set the SR head's loss weight for this iteration.

        Args:
            runner (Runner): The runner of the training process.
            batch_idx (int): Index of the batch in the epoch.
            data_batch (Sequence[dict], optional): Unused.
        """
        head = self._sr_head(runner)
        if head is None:
            return
        warm = self.current_epoch(runner) < self.warmup_epochs
        head.loss_weight_override = self.warmup_loss_weight if warm else None
        runner.message_hub.update_scalar('train/sr_weight',
                                         head.current_loss_weight())

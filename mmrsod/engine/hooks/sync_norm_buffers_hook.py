# Copyright (c) mmrsod contributors. All rights reserved.
"""Average normalisation statistics over the processes of a DDP run."""
from typing import Optional, Sequence

from mmengine.dist import all_reduce_params, is_distributed
from mmengine.hooks import Hook
from mmseg.registry import HOOKS

__all__ = ['SyncNormBuffersHook']


@HOOKS.register_module()
class SyncNormBuffersHook(Hook):
    """Keep the floating-point buffers (BN running mean/var) equal on all
    processes of a distributed run.

    mmengine wraps the model with ``broadcast_buffers=False``, so after a
    distributed training step the weights are equal on every process but
    each process's BatchNorm running statistics come from its own samples.
    Validation then scores a different network on each process, and
    neither equals the checkpoint that rank 0 saves. mmengine's
    ``SyncBuffersHook`` averages them after the epoch or before
    validation, which for iteration-based loops is *after* the checkpoint
    of that iteration was written.

    This hook averages them after every training iteration, before the
    ``CheckpointHook`` (priority ``VERY_LOW``) saves and before any
    validation, so the validated model and the saved checkpoint are the
    same. Running statistics are exponential moving averages, which are
    linear in the batch statistics: averaging after every step gives the
    same values as averaging the per-process statistics once, and the
    training forward (batch statistics) is unchanged. Integer buffers
    (``num_batches_tracked``) are equal on all processes and are left
    alone. Does nothing in a single-process run. With SyncBN the buffers
    are already equal and the average keeps them.
    """

    priority = 'ABOVE_NORMAL'

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[Sequence[dict]] = None,
                         outputs: Optional[dict] = None) -> None:
        """Average the floating-point buffers over the processes.

        Args:
            runner (Runner): The runner of the training process.
            batch_idx (int): Index of the batch in the epoch.
            data_batch (Sequence[dict], optional): Unused.
            outputs (dict, optional): Unused.
        """
        if not is_distributed():
            return
        buffers = [
            buf for buf in runner.model.buffers() if buf.is_floating_point()
        ]
        if buffers:
            all_reduce_params(buffers, op='mean')

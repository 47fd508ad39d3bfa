# Copyright (c) mmrsod contributors. All rights reserved.
"""Distributed training on CPU through mmengine's own DDP path.

mmengine 0.10.7 assumes a GPU under the ``pytorch`` launcher: it calls
``torch.cuda.set_device`` before ``init_process_group`` and hands
``device_ids=[LOCAL_RANK]`` to ``DistributedDataParallel``, both of which
fail on a CPU-only machine. :func:`setup_cpu_distributed` initialises the
gloo process group itself (mmengine then skips its own initialisation) and
asks for ``device_ids=None``; the training loop, samplers, gradient
all-reduce and checkpointing stay mmengine's ``MMDistributedDataParallel``.

SyncBN (``sync_bn='torch'``, set in mmrsod's default runtime) needs CUDA
tensors; on CPU the config's ``sync_bn`` is dropped, every process keeps
its own BatchNorm, and each process then needs ``batch_size >= 2``
(:func:`mmrsod.utils.check_norm_batch_size` says so).
"""
import os
import warnings

import torch
import torch.distributed as torch_dist
from mmengine.config import Config

__all__ = ['setup_cpu_distributed']


def setup_cpu_distributed(cfg: Config, launcher: str) -> bool:
    """Prepare ``cfg`` and the process group for CPU DDP when needed.

    Does nothing when ``launcher == 'none'`` or CUDA is available.

    Args:
        cfg (Config): The run's config; ``env_cfg.dist_cfg.backend``,
            ``model_wrapper_cfg`` and ``sync_bn`` are updated in place.
        launcher (str): ``'none'``, ``'pytorch'``, ``'slurm'`` or ``'mpi'``.

    Returns:
        bool: Whether the CPU distributed set-up was applied.
    """
    if launcher == 'none' or torch.cuda.is_available():
        return False
    env_cfg = cfg.setdefault('env_cfg', {})
    dist_cfg = env_cfg.setdefault('dist_cfg', {})
    if dist_cfg.get('backend', 'nccl') != 'gloo':
        warnings.warn(f'no CUDA device: using the gloo backend instead of '
                      f'"{dist_cfg.get("backend", "nccl")}"')
        dist_cfg['backend'] = 'gloo'
    if cfg.get('sync_bn', None) is not None:
        warnings.warn(f'no CUDA device: sync_bn={cfg.sync_bn!r} is ignored '
                      '(SyncBN needs CUDA); each process keeps its own '
                      'BatchNorm and needs train_dataloader.batch_size >= 2')
        cfg.sync_bn = None
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel',
        broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper.setdefault('device_ids', None)
    cfg.model_wrapper_cfg = wrapper
    if launcher == 'pytorch' and not torch_dist.is_initialized():
        torch_dist.init_process_group(
            backend='gloo',
            rank=int(os.environ['RANK']),
            world_size=int(os.environ['WORLD_SIZE']))
    return True

# Copyright (c) mmrsod contributors. All rights reserved.
"""Run-time settings that make sense only with CUDA, adapted for CPU."""
from typing import Any, Dict, List, Optional

import torch
from mmengine.config import Config

__all__ = ['CPU_LOG_INTERVAL', 'adapt_cfg_to_cpu']

#: Logging interval (iterations) on CPU, where an R50 iteration at batch 8
#: takes ~15 s on 2 cores: 50 (mmseg's default) meant ~12 min of silence.
CPU_LOG_INTERVAL = 10


def adapt_cfg_to_cpu(
        cfg: Config,
        cfg_options: Optional[Dict[str, Any]] = None) -> List[str]:
    """Without CUDA: gloo, no cuDNN benchmark, a shorter log interval.

    mmseg's runtime sets ``env_cfg.dist_cfg.backend='nccl'`` and
    ``cudnn_benchmark=True``, which the runner logs as the environment even
    on a CPU-only machine. This sets ``backend='gloo'`` and
    ``cudnn_benchmark=False`` and caps ``default_hooks.logger.interval`` at
    :data:`CPU_LOG_INTERVAL` unless the user set it with ``--cfg-options``.
    Does nothing when CUDA is available.

    Args:
        cfg (Config): The run's config, changed in place.
        cfg_options (dict, optional): The ``--cfg-options`` given.

    Returns:
        list[str]: ``key=value`` for every setting changed.
    """
    if torch.cuda.is_available():
        return []
    changed = []
    env_cfg = cfg.setdefault('env_cfg', {})
    if env_cfg.get('cudnn_benchmark', False):
        env_cfg['cudnn_benchmark'] = False
        changed.append('env_cfg.cudnn_benchmark=False')
    dist_cfg = env_cfg.setdefault('dist_cfg', {})
    if dist_cfg.get('backend', 'gloo') != 'gloo':
        dist_cfg['backend'] = 'gloo'
        changed.append("env_cfg.dist_cfg.backend='gloo'")
    logger = cfg.get('default_hooks', {}).get('logger')
    given = {k.lstrip('+') for k in (cfg_options or {})}
    if (logger is not None and 'default_hooks.logger.interval' not in given
            and logger.get('interval', 0) > CPU_LOG_INTERVAL):
        logger['interval'] = CPU_LOG_INTERVAL
        changed.append(f'default_hooks.logger.interval={CPU_LOG_INTERVAL}')
    return changed

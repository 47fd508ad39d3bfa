# Copyright (c) mmrsod contributors. All rights reserved.
"""Refuse a training batch that per-process BatchNorm cannot normalise."""
import torch.nn as nn
from torch.nn.modules.batchnorm import _BatchNorm

from .errors import ConfigError

__all__ = ['check_norm_batch_size']


def check_norm_batch_size(model: nn.Module, batch_size: int) -> None:
    """Raise when BatchNorm layers would see one sample per process.

    ``train_dataloader.batch_size`` is per process. A BatchNorm layer that
    is not synchronised across processes (anything but
    ``nn.SyncBatchNorm``, which mmengine builds from ``sync_bn='torch'``
    under a distributed GPU launch) normalises over that batch alone; with
    one sample it fails on a 1x1 map (PPM's 1x1 bin, ASPP's image pool)
    deep inside torch. This check names the config key instead.

    Args:
        model (nn.Module): The (possibly wrapped) model to train.
        batch_size (int): ``train_dataloader.batch_size``.

    BatchNorm layers that stay in eval mode while the model trains do not
    normalise over the batch and are not counted: mmdet's and mmseg's
    ResNets with ``norm_eval=True`` (every mmdet detection config) put
    their BN layers back into eval mode in ``train()``, so batch 1 per
    process is fine there. The check puts the model in training mode to
    see this and restores every module's mode afterwards.

    Raises:
        ConfigError: If ``batch_size < 2`` and the model has a
            per-process BatchNorm layer that normalises in training.
    """
    if batch_size >= 2:
        return
    modes = {module: module.training for module in model.modules()}
    try:
        model.train()  # lets norm_eval backbones switch their BN to eval
        names = [
            name for name, module in model.named_modules()
            if isinstance(module, _BatchNorm) and module.training
            and not isinstance(module, nn.SyncBatchNorm)
        ]
    finally:
        for module, mode in modes.items():
            module.training = mode
    if names:
        raise ConfigError(
            f'train_dataloader.batch_size={batch_size} per process, but '
            f'{len(names)} BatchNorm layers (first: {names[0]}) normalise '
            'over the samples of one process and fail on one sample (e.g. '
            "PPM's 1x1 bin): set train_dataloader.batch_size>=2, or on GPUs "
            "launch distributed with sync_bn='torch' (the default in "
            'mmrsod configs) so that BN sees the batch of all processes')

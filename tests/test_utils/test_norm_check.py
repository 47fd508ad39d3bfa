# Copyright (c) mmrsod contributors. All rights reserved.
import pytest
import torch.nn as nn

from mmrsod.utils import ConfigError, check_norm_batch_size


def _net():
    return nn.Sequential(nn.Conv2d(3, 4, 1), nn.BatchNorm2d(4), nn.ReLU())


def test_batch_one_with_per_process_bn_is_refused():
    with pytest.raises(
            ConfigError,
            match=r'train_dataloader.batch_size=1 .*\(first: 1\)'):
        check_norm_batch_size(_net(), 1)
    check_norm_batch_size(_net(), 2)  # fine
    # SyncBN normalises over all processes: batch 1 each is fine
    check_norm_batch_size(nn.SyncBatchNorm.convert_sync_batchnorm(_net()), 1)
    # no BatchNorm at all
    check_norm_batch_size(
        nn.Sequential(nn.Conv2d(3, 4, 1), nn.GroupNorm(2, 4)), 1)

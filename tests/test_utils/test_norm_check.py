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


@pytest.mark.parametrize('norm_eval', [True, False])
def test_frozen_bn_statistics_accept_batch_one(norm_eval):
    """mmdet backbones with norm_eval=True (BN kept in eval mode in
    training, the detection default) normalise with running statistics:
    batch 1 per process works; without norm_eval it is refused."""
    from mmdet.models.backbones import ResNet
    net = ResNet(depth=18, norm_eval=norm_eval)
    net.eval()
    if norm_eval:
        check_norm_batch_size(net, 1)
    else:
        with pytest.raises(ConfigError, match=r'\(first: bn1\)'):
            check_norm_batch_size(net, 1)
    assert not net.training  # the check leaves the mode as it was

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


def test_norm_eval_backbone_allows_batch_one():
    """mmdet's ResNet with norm_eval=True keeps BN in eval mode while
    training (the default of every mmdet detector config)."""
    from mmdet.models.backbones import ResNet as _ResNet

    def ResNet(**kwargs):  # one stage keeps it fast
        return _ResNet(
            num_stages=1,
            strides=(1, ),
            dilations=(1, ),
            out_indices=(0, ),
            **kwargs)

    frozen = ResNet(depth=18, norm_eval=True, frozen_stages=1)
    frozen.eval()
    check_norm_batch_size(frozen, 1)
    assert not frozen.training  # the caller's mode is restored
    assert not any(m.training for m in frozen.modules())
    with pytest.raises(ConfigError, match=r'first: bn1\)'):
        check_norm_batch_size(ResNet(depth=18, norm_eval=False), 1)
    # a BN head on a norm_eval backbone still normalises over the batch
    model = nn.Sequential(ResNet(depth=18, norm_eval=True), nn.BatchNorm2d(64))
    with pytest.raises(ConfigError, match=r'first: 1\)'):
        check_norm_batch_size(model, 1)
    assert all(m.training for m in model.modules())  # restored


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

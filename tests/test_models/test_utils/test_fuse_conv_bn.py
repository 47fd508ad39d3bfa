# Copyright (c) mmrsod contributors. All rights reserved.
"""BatchNorm folding for the fast inference path."""
import torch
import torch.nn as nn
from mmcv.cnn import ConvModule

from mmrsod.models.utils import fuse_conv_bn


def _random_bn(bn: nn.modules.batchnorm._BatchNorm, seed: int) -> None:
    gen = torch.Generator().manual_seed(seed)
    n = bn.num_features
    bn.running_mean.copy_(torch.randn(n, generator=gen))
    bn.running_var.copy_(torch.rand(n, generator=gen) + 0.5)
    bn.weight.data.copy_(torch.randn(n, generator=gen))
    bn.bias.data.copy_(torch.randn(n, generator=gen))


def _randomise(model: nn.Module) -> nn.Module:
    for i, m in enumerate(model.modules()):
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            _random_bn(m, i)
    return model.eval()


def _num_bn(model: nn.Module) -> int:
    return sum(
        isinstance(m, nn.modules.batchnorm._BatchNorm)
        for m in model.modules())


def test_hand_computed_1x1_conv():
    """1x1 conv, weight 2, no bias; BN mean 1, var 3, eps 1, gamma 4,
    beta 5: y = 4 * (2x - 1) / 2 + 5 = 4x + 3."""
    module = ConvModule(1, 1, 1, norm_cfg=dict(type='BN'), act_cfg=None)
    module.conv.weight.data.fill_(2.0)
    bn = module.bn
    bn.eps = 1.0
    bn.running_mean.fill_(1.0)
    bn.running_var.fill_(3.0)
    bn.weight.data.fill_(4.0)
    bn.bias.data.fill_(5.0)
    module.eval()
    fuse_conv_bn(module)
    assert isinstance(module.bn, nn.Identity)
    assert module.conv.weight.item() == 4.0
    assert module.conv.bias.item() == 3.0
    x = torch.tensor([[[[0.0, 1.0, -2.0]]]])
    torch.testing.assert_close(module(x), torch.tensor([[[[3.0, 7.0, -5.0]]]]))


def test_conv_and_transposed_conv_modules():
    x = torch.randn(2, 6, 9, 11)
    for conv_cfg, groups in ((None, 1), (None, 3), (dict(type='deconv'), 1),
                             (dict(type='deconv', output_padding=1), 3)):
        module = _randomise(
            ConvModule(
                6,
                9,
                3,
                stride=2,
                padding=1,
                groups=groups,
                conv_cfg=conv_cfg,
                norm_cfg=dict(type='BN'),
                act_cfg=dict(type='ReLU')))
        with torch.no_grad():
            ref = module(x)
            fuse_conv_bn(module)
            out = module(x)
        assert _num_bn(module) == 0, conv_cfg
        torch.testing.assert_close(out, ref, atol=1e-5, rtol=1e-5)


def test_norm_not_after_conv_is_kept():
    """BN before the conv (pre-norm) or after an activation cannot be
    folded into that conv; mmcv's registration-order rule would."""
    pre = _randomise(
        ConvModule(
            4,
            4,
            3,
            padding=1,
            norm_cfg=dict(type='BN'),
            order=('norm', 'conv', 'act')))
    siblings = _randomise(
        nn.Sequential(
            nn.Conv2d(4, 4, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(4)))
    x = torch.randn(1, 4, 8, 8)
    for model in (pre, siblings):
        with torch.no_grad():
            ref = model(x)
            fuse_conv_bn(model)
            out = model(x)
        assert _num_bn(model) == 1
        torch.testing.assert_close(out, ref)


def test_resnet_backbone_fully_folded():
    from mmrsod.models.backbones import SODResNet
    model = _randomise(SODResNet(depth=18, strides=(1, 2, 2, 2)))
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        ref = model(x)
        fuse_conv_bn(model)
        out = model(x)
    assert _num_bn(model) == 0
    for a, b in zip(out, ref):
        torch.testing.assert_close(a, b, atol=1e-4, rtol=1e-4)

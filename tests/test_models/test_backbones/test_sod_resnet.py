# Copyright (c) mmrsod contributors. All rights reserved.
import pytest
import torch
from mmseg.models.backbones import ResNet
from mmseg.registry import MODELS

from mmrsod.models import SODResNet

BN_KEYS = ('weight', 'bias', 'running_mean', 'running_var',
           'num_batches_tracked')


def torchvision_resnet_keys(depth):
    """State-dict keys of torchvision's ``resnet{depth}`` without ``fc``."""
    blocks = {18: (2, 2, 2, 2), 34: (3, 4, 6, 3), 50: (3, 4, 6, 3)}[depth]
    bottleneck = depth >= 50
    keys = ['conv1.weight'] + [f'bn1.{k}' for k in BN_KEYS]
    for stage, num_blocks in enumerate(blocks, start=1):
        for block in range(num_blocks):
            prefix = f'layer{stage}.{block}'
            for conv in range(1, 4 if bottleneck else 3):
                keys.append(f'{prefix}.conv{conv}.weight')
                keys += [f'{prefix}.bn{conv}.{k}' for k in BN_KEYS]
            if block == 0 and (bottleneck or stage > 1):
                keys.append(f'{prefix}.downsample.0.weight')
                keys += [f'{prefix}.downsample.1.{k}' for k in BN_KEYS]
    return keys


@pytest.mark.parametrize('depth', [18, 50])
def test_state_dict_matches_torchvision_layout(depth):
    model = SODResNet(depth=depth)
    state = model.state_dict()
    assert sorted(state) == sorted(torchvision_resnet_keys(depth))
    assert state['conv1.weight'].shape == (64, 3, 7, 7)
    if depth == 50:
        assert state['layer1.0.downsample.0.weight'].shape == (256, 64, 1, 1)
        assert state['layer4.2.conv3.weight'].shape == (2048, 512, 1, 1)
        assert state['layer3.5.conv2.weight'].shape == (256, 256, 3, 3)


def test_pretrained_torchvision_style_checkpoint(tmp_path):
    # a torchvision-style checkpoint (with the classifier) loads by name
    src = SODResNet(depth=18)
    for p in src.parameters():
        torch.nn.init.normal_(p)
    ckpt = {k: v.clone() for k, v in src.state_dict().items()}
    ckpt['fc.weight'] = torch.zeros(1000, 512)
    ckpt['fc.bias'] = torch.zeros(1000)
    path = tmp_path / 'resnet18_tv.pth'
    torch.save(ckpt, path)
    dst = MODELS.build(
        dict(
            type='SODResNet',
            depth=18,
            init_cfg=dict(type='Pretrained', checkpoint=str(path))))
    dst.init_weights()
    for key, value in src.state_dict().items():
        assert torch.equal(dst.state_dict()[key], value), key


def test_r50_output_shapes():
    model = SODResNet(depth=50).eval()
    with torch.no_grad():
        outs = model(torch.rand(1, 3, 224, 224))
    expected = [(64, 112), (256, 56), (512, 28), (1024, 14), (2048, 7)]
    assert len(outs) == 5
    for out, (channels, size) in zip(outs, expected):
        assert out.shape == (1, channels, size, size)


def test_r18_channels_and_plain_mode():
    model = SODResNet(depth=18).eval()
    x = torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        outs = model(x)
    assert [o.shape[1] for o in outs] == [64, 64, 128, 256, 512]
    assert [o.shape[2] for o in outs] == [32, 16, 8, 4, 2]
    # the stages equal mmseg's ResNet; without the stem it is mmseg's ResNet
    plain = SODResNet(depth=18, with_stem_feature=False).eval()
    ref = ResNet(depth=18)
    ref.eval()  # mmseg's ResNet.train() returns None
    plain.load_state_dict(model.state_dict())
    ref.load_state_dict(model.state_dict())
    with torch.no_grad():
        for a, b, c in zip(plain(x), ref(x), outs[1:]):
            assert torch.allclose(a, b) and torch.allclose(a, c)
    assert MODELS.get('SODResNet') is SODResNet

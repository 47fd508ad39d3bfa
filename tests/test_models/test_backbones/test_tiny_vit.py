# Copyright (c) mmrsod contributors. All rights reserved.
"""TinyViT (MobileSAM vit_t): official key names, shapes, bias trap."""
import importlib.util
import itertools
import sys
import types
from pathlib import Path
from unittest import mock

import pytest
import torch

from mmrsod.models.backbones import TinyViT
from mmrsod.models.backbones.tiny_vit import (WindowAttention,
                                              relative_position_index)
from mmrsod.testing import load_script, tiny_tiny_vit_cfg

TINY = tiny_tiny_vit_cfg(depths=(1, 1, 2, 1))

# A hand-written selection of keys of the official mobile_sam.pt
# (``image_encoder.`` prefix removed), with their shapes.
OFFICIAL_KEYS = {
    'patch_embed.seq.0.c.weight': (32, 3, 3, 3),
    'patch_embed.seq.0.bn.running_var': (32, ),
    'patch_embed.seq.2.c.weight': (64, 32, 3, 3),
    'layers.0.blocks.0.conv1.c.weight': (256, 64, 1, 1),
    'layers.0.blocks.1.conv2.c.weight': (256, 1, 3, 3),
    'layers.0.blocks.1.conv3.bn.weight': (64, ),
    'layers.0.downsample.conv1.c.weight': (128, 64, 1, 1),
    'layers.0.downsample.conv2.c.weight': (128, 1, 3, 3),
    'layers.1.blocks.0.attn.attention_biases': (4, 49),
    'layers.1.blocks.0.attn.norm.weight': (128, ),
    'layers.1.blocks.0.attn.qkv.weight': (384, 128),
    'layers.1.blocks.1.attn.proj.bias': (128, ),
    'layers.1.blocks.1.local_conv.c.weight': (128, 1, 3, 3),
    'layers.1.blocks.1.local_conv.bn.num_batches_tracked': (),
    'layers.1.downsample.conv3.c.weight': (160, 160, 1, 1),
    'layers.2.blocks.5.attn.attention_biases': (5, 196),
    'layers.2.blocks.5.mlp.norm.bias': (160, ),
    'layers.2.blocks.5.mlp.fc1.weight': (640, 160),
    'layers.2.downsample.conv2.c.weight': (320, 1, 3, 3),
    'layers.3.blocks.1.attn.attention_biases': (10, 49),
    'layers.3.blocks.1.attn.qkv.bias': (960, ),
    'layers.3.blocks.1.mlp.fc2.weight': (320, 1280),
    'norm_head.weight': (320, ),
    'head.weight': (1000, 320),
    'head.bias': (1000, ),
    'neck.0.weight': (256, 320, 1, 1),
    'neck.1.weight': (256, ),
    'neck.2.weight': (256, 256, 3, 3),
    'neck.3.bias': (256, ),
}


def test_official_key_names_and_count():
    state = TinyViT().state_dict()
    for key, shape in OFFICIAL_KEYS.items():
        assert tuple(state[key].shape) == shape, key
    # By hand: a ConvBN has 6 entries (conv weight + 5 BN), a TinyViTBlock
    # 19 (attn 7, mlp 6, local_conv 6). Stem 2 ConvBN, stage 0 two MBConv
    # (3 ConvBN each), 3 merges (3 ConvBN each), 2+6+2 blocks, classifier
    # 4, neck 6: 12 + 36 + 54 + 190 + 4 + 6 = 302. The relative-position
    # index is a non-persistent buffer, as in the official model.
    assert len(state) == 302
    assert not any('attention_bias_idxs' in k for k in state)
    assert 'layers.3.downsample.conv1.c.weight' not in state
    assert not any(k.startswith('image_encoder.') for k in state)


def test_strict_load_of_official_names():
    reference = TinyViT()
    state = {
        k: torch.randn_like(v.float()).to(v.dtype)
        for k, v in reference.state_dict().items()
    }
    model = TinyViT()
    result = model.load_state_dict(state, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    assert torch.equal(model.layers[2].blocks[5].attn.attention_biases,
                       state['layers.2.blocks.5.attn.attention_biases'])


def test_output_shape_1024():
    model = TinyViT().eval()
    with torch.no_grad():
        out = model(torch.randn(1, 3, 1024, 1024))
    assert out.shape == (1, 256, 64, 64)
    assert model.output_size(1024, 1024) == (64, 64)
    assert model.out_stride == 16


def test_tiny_output_shape_non_square():
    model = TinyViT(**TINY).eval()
    out = model(torch.randn(2, 3, 64, 40))
    # 64x40 -> stem /4 16x10 -> /2 8x5 -> /2 4x3 -> /1 4x3
    assert out.shape == (2, 16, 4, 3)
    assert model.output_size(64, 40) == (4, 3)


def test_relative_position_index_first_appearance_order():
    w = 3
    points = list(itertools.product(range(w), range(w)))
    order = {}
    expected = []
    for p, q in itertools.product(points, points):
        offset = (abs(p[0] - q[0]), abs(p[1] - q[1]))
        order.setdefault(offset, len(order))
        expected.append(order[offset])
    assert relative_position_index(w).flatten().tolist() == expected


def test_window_attention_by_hand():
    torch.manual_seed(0)
    attn = WindowAttention(dim=4, num_heads=2, window_size=2)
    torch.nn.init.normal_(attn.attention_biases)
    x = torch.randn(3, 4, 4)
    out = attn(x)
    # Reference written from the definition: per head the qkv output holds
    # [q (2), k (2), v (2)]; softmax(q k^T / sqrt(2) + bias[offset]).
    qkv = attn.qkv(attn.norm(x)).view(3, 4, 2, 6)
    pos = [(0, 0), (0, 1), (1, 0), (1, 1)]
    heads = []
    for h in range(2):
        q, k, v = qkv[:, :, h, :2], qkv[:, :, h, 2:4], qkv[:, :, h, 4:]
        bias = torch.tensor([[
            attn.attention_biases[h,
                                  abs(a[0] - b[0]) * 2 +
                                  abs(a[1] - b[1])].item() for b in pos
        ] for a in pos])
        weights = torch.softmax(q @ k.transpose(1, 2) / 2**0.5 + bias, -1)
        heads.append(weights @ v)
    expected = attn.proj(torch.cat(heads, dim=-1))
    torch.testing.assert_close(out, expected)


def test_loading_after_eval_uses_new_biases():
    torch.manual_seed(0)
    donor = TinyViT(**TINY)
    for m in donor.modules():
        if isinstance(m, WindowAttention):
            torch.nn.init.normal_(m.attention_biases, std=2.0)
    state = donor.state_dict()
    x = torch.randn(1, 3, 48, 48)
    loaded_then_eval = TinyViT(**TINY)
    loaded_then_eval.load_state_dict(state)
    loaded_then_eval.eval()
    eval_then_loaded = TinyViT(**TINY).eval()
    before = eval_then_loaded(x)
    eval_then_loaded.load_state_dict(state)
    with torch.no_grad():
        after = eval_then_loaded(x)
        expected = loaded_then_eval(x)
    torch.testing.assert_close(after, expected)
    assert not torch.allclose(before, after)


def _official_tiny_vit_module():
    """MobileSAM's own TinyViT file, imported as the test oracle.

    ``mobilesam-mirror`` (in ``requirements/tests.txt``; it declares no
    hard dependencies) ships MobileSAM's code unchanged. Its package
    ``__init__`` imports the predictor and hence torchvision, which does not
    import with the CPU torch of these machines, so only
    ``mobile_sam/modeling/tiny_vit_sam.py`` is loaded, by path. That file
    imports four names from timm; where timm does not import, minimal
    stand-ins take their place, none of which enters the compared
    computation: ``DropPath`` is only built for ``drop_path > 0`` (0 here),
    ``trunc_normal_`` only initialises (the test overwrites every
    parameter), ``to_2tuple`` and ``register_model`` are a tuple helper and
    a registry decorator.

    Returns:
        ModuleType | None: The module, or None when mobilesam-mirror is not
        installed.
    """
    spec = importlib.util.find_spec('mobile_sam')
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / 'modeling' / \
        'tiny_vit_sam.py'
    try:
        import timm.models.layers  # noqa: F401
        import timm.models.registry  # noqa: F401
        shims = {}
    except Exception:  # no timm, or a timm without its torchvision
        layers = types.ModuleType('timm.models.layers')

        class DropPath(torch.nn.Module):

            def __init__(self, drop_prob=None):
                super().__init__()
                self.drop_prob = drop_prob

            def forward(self, x):
                assert not (self.training and self.drop_prob), \
                    'stand-in DropPath only supports drop_prob = 0'
                return x

        layers.DropPath = DropPath

        def to_2tuple(x):
            return tuple(x) if isinstance(x, (tuple, list)) else (x, x)

        layers.to_2tuple = to_2tuple
        layers.trunc_normal_ = torch.nn.init.trunc_normal_
        registry = types.ModuleType('timm.models.registry')
        registry.register_model = lambda fn: fn
        shims = {
            'timm': types.ModuleType('timm'),
            'timm.models': types.ModuleType('timm.models'),
            'timm.models.layers': layers,
            'timm.models.registry': registry,
        }
    with mock.patch.dict(sys.modules, shims):
        return load_script(path, 'mobile_sam_tiny_vit_sam_oracle')


OFFICIAL = _official_tiny_vit_module()


@pytest.mark.skipif(
    OFFICIAL is None,
    reason='mobilesam-mirror (MobileSAM\'s code, the oracle) is not '
    'installed: pip install -r requirements/tests.txt')
def test_same_outputs_as_mobile_sam():
    official = OFFICIAL.TinyViT(
        img_size=1024,
        in_chans=3,
        num_classes=1000,
        embed_dims=[64, 128, 160, 320],
        depths=[2, 2, 6, 2],
        num_heads=[2, 4, 5, 10],
        window_sizes=[7, 7, 14, 7],
        mlp_ratio=4.,
        drop_rate=0.,
        drop_path_rate=0.0,
        use_checkpoint=False,
        mbconv_expand_ratio=4.0,
        local_conv_size=3,
        layer_lr_decay=0.8)
    # Scaled so that every block matters: fan-in scaled weights, BN and
    # norm scales near 1, random biases, attention biases and BN statistics.
    torch.manual_seed(0)
    with torch.no_grad():
        for name, p in official.named_parameters():
            if name.endswith('attention_biases'):
                p.normal_()
            elif p.dim() == 1 and name.endswith('weight'):
                p.copy_(1 + 0.1 * torch.randn_like(p))
            elif p.dim() == 1:
                p.normal_(std=0.1)
            else:
                p.normal_(std=p[0].numel()**-0.5)
        for m in official.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.normal_(std=0.1)
                m.running_var.uniform_(0.5, 1.5)
    state = official.state_dict()
    # .eval() after loading on both sides (the attention-bias cache trap).
    official.eval()
    x = torch.randn(1, 3, 1024, 1024)

    def ours_with(state):
        model = TinyViT()
        # Strict, and with every key: the classifier head keys included.
        model.load_state_dict(state, strict=True)
        with torch.no_grad():
            return model.eval()(x)

    with torch.no_grad():
        expected = official(x)
    assert expected.shape == (1, 256, 64, 64)
    torch.testing.assert_close(
        ours_with(state), expected, rtol=1e-4, atol=1e-4)
    # The comparison can fail: a small change to one stage-2 block's
    # attention biases moves the output far beyond the tolerance.
    key = 'layers.2.blocks.5.attn.attention_biases'
    changed = dict(state)
    changed[key] = state[key] + 0.1 * torch.randn_like(state[key])
    assert (ours_with(changed) - expected).abs().max() > 1e-2

# Copyright (c) mmrsod contributors. All rights reserved.
"""MobileSAMEncoder: pre-processing by hand, strict loading, freezing."""
import pytest
import torch

from mmrsod.models.backbones import TinyViT
from mmrsod.models.utils import (FeatureCache, MobileSAMEncoder,
                                 extract_image_encoder_state, make_cache_key,
                                 resize_longest_side_shape)
from mmrsod.testing import tiny_tiny_vit_cfg
from mmrsod.utils import ConfigError

TINY = tiny_tiny_vit_cfg()
MEAN = torch.tensor([123.675, 116.28, 103.53]).view(3, 1, 1)
STD = torch.tensor([58.395, 57.12, 57.375]).view(3, 1, 1)


def tiny_encoder(**kwargs) -> MobileSAMEncoder:
    kwargs.setdefault('allow_random', True)
    return MobileSAMEncoder(encoder=TINY, img_size=64, **kwargs)


def fake_mobile_sam_file(path, encoder_state):
    """A file laid out like mobile_sam.pt: all of Sam's keys, flat."""
    state = {'image_encoder.' + k: v for k, v in encoder_state.items()}
    state['prompt_encoder.pe_layer.positional_encoding_gaussian_matrix'] = \
        torch.zeros(2, 128)
    state['mask_decoder.iou_token.weight'] = torch.zeros(1, 256)
    torch.save(state, path)
    return str(path)


def random_state(model: torch.nn.Module) -> dict:
    return {
        k: torch.randn_like(v.float()).to(v.dtype)
        if v.is_floating_point() else v.clone()
        for k, v in model.state_dict().items()
    }


def test_random_encoder_refused_unless_asked():
    with pytest.raises(ConfigError, match='checkpoint is None'):
        MobileSAMEncoder(encoder=TINY)
    assert isinstance(tiny_encoder().image_encoder, TinyViT)


def test_resize_and_valid_size():
    assert resize_longest_side_shape(600, 400, 1024) == (1024, 683)
    assert resize_longest_side_shape(512, 512, 1024) == (1024, 1024)
    encoder = MobileSAMEncoder(allow_random=True)
    # 683 / 16 = 42.7 -> 43 embedding columns hold image content.
    assert encoder.valid_size(600, 400) == (64, 43)
    assert encoder.valid_size(1024, 1024) == (64, 64)


def test_preprocess_normalise_and_pad_by_hand():
    encoder = tiny_encoder()
    # Long side already 64: no resize, only normalise and pad.
    image = torch.arange(
        3 * 32 * 64, dtype=torch.float32).view(1, 3, 32, 64) % 256
    out = encoder.preprocess(image.to(torch.uint8))
    assert out.shape == (1, 3, 64, 64)
    torch.testing.assert_close(out[0, :, :32], (image[0] - MEAN) / STD)
    assert torch.count_nonzero(out[0, :, 32:]) == 0


def test_preprocess_resizes_long_side():
    encoder = tiny_encoder()
    # A constant 10x20 image becomes a constant 32x64 image.
    image = torch.ones(2, 3, 10, 20) * torch.tensor([10., 20., 30.]).view(
        1, 3, 1, 1)
    out = encoder.preprocess(image)
    expected = (torch.tensor([10., 20., 30.]).view(3, 1, 1) - MEAN) / STD
    torch.testing.assert_close(out[:, :, :32], expected.expand(2, 3, 32, 64))
    assert torch.count_nonzero(out[:, :, 32:]) == 0
    with pytest.raises(ValueError, match='expects'):
        encoder.preprocess(torch.zeros(1, 1, 8, 8))


def test_frozen_eval_no_grad():
    encoder = tiny_encoder()
    encoder.train()
    assert not encoder.training and not encoder.image_encoder.training
    assert not any(p.requires_grad for p in encoder.parameters())
    out = encoder(torch.rand(1, 3, 40, 64) * 255)
    assert out.shape == (1, 16, 4, 4)
    assert not out.requires_grad
    # forward == image_encoder(preprocess(x))
    x = torch.rand(1, 3, 64, 48) * 255
    torch.testing.assert_close(
        encoder(x), encoder.image_encoder(encoder.preprocess(x)))


def test_strict_load_of_official_file(tmp_path):
    state = random_state(TinyViT(**TINY))
    path = fake_mobile_sam_file(tmp_path / 'mobile_sam.pt', state)
    encoder = tiny_encoder(checkpoint=path, allow_random=False)
    for key, value in encoder.image_encoder.state_dict().items():
        assert torch.equal(value, state[key]), key
    assert not encoder.training
    # An encoder-only file without the prefix loads too.
    assert extract_image_encoder_state(state) == state


def test_bad_checkpoints_named(tmp_path):
    state = random_state(TinyViT(**TINY))
    state.pop('neck.3.bias')
    path = fake_mobile_sam_file(tmp_path / 'broken.pt', state)
    with pytest.raises(
            ConfigError, match=r'broken\.pt.*1 missing keys '
            r'\(neck\.3\.bias\)'):
        tiny_encoder(checkpoint=path)
    with pytest.raises(ConfigError, match='not found: .*nope.pt'):
        tiny_encoder(checkpoint=str(tmp_path / 'nope.pt'))


def test_fingerprint_follows_weights(tmp_path):
    state = random_state(TinyViT(**TINY))
    path = fake_mobile_sam_file(tmp_path / 'a.pt', state)
    a = tiny_encoder(checkpoint=path)
    b = tiny_encoder(checkpoint=path)
    assert a.fingerprint() == b.fingerprint()
    assert len(a.fingerprint()) == 16
    state['layers.1.blocks.0.attn.attention_biases'] += 1
    b.load_encoder_state_dict(state)
    assert a.fingerprint() != b.fingerprint()
    c = MobileSAMEncoder(
        checkpoint=path, encoder=TINY, img_size=32)  # other input size
    assert c.fingerprint() != a.fingerprint()


def test_forward_cached_hit_miss_agreement(tmp_path):
    encoder = tiny_encoder()
    cache = FeatureCache(str(tmp_path), encoder.fingerprint())
    images = torch.rand(2, 3, 64, 64) * 255
    keys = [make_cache_key(f'{i}.png', None, (64, 64)) for i in range(2)]
    # Pre-seed entry 1 with a marker: it must be returned as cached.
    marker = torch.full((16, 4, 4), 0.5)
    cache.put(keys[1], marker)
    out = encoder.forward_cached(images, keys, cache)
    fresh = encoder(images[:1])  # the miss, encoded as its own batch
    torch.testing.assert_close(out[0], fresh[0].half().float())
    torch.testing.assert_close(out[1], marker)
    assert (cache.hits, cache.misses) == (1, 1)
    assert cache.verify(keys[0], fresh[0])  # stored while encoding
    torch.testing.assert_close(
        encoder.forward_cached(images[:1], keys[:1], cache), out[:1])
    with pytest.raises(ValueError, match='belongs to encoder weights'):
        encoder.forward_cached(images, keys,
                               FeatureCache(str(tmp_path), 'other'))

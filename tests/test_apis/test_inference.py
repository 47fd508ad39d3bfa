# Copyright (c) mmrsod contributors. All rights reserved.
"""mmrsod.apis: init_model / inference_model on files, folders and arrays
(gray, RGB, RGBA, 16-bit, odd sizes) against tools/test.py-style inference
(the config's SODDataset and test pipeline), the fast path, and errors."""
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate

from mmrsod.apis import inference_model, init_model, to_bgr_uint8
from mmrsod.utils import InputError

REPO = Path(__file__).resolve().parents[2]

TINY = '''
_base_ = [
    '{repo}/configs/_base_/models/sral_r18.py',
    '{repo}/configs/_base_/datasets/sod_sral.py',
    '{repo}/configs/_base_/default_runtime.py',
]
model = dict(data_preprocessor=dict(size=(32, 32)),
             backbone=dict(init_cfg=None))
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='SODResize', scale=64),
    dict(type='GenerateLRInput', scale_factor=0.5, make_sr_target=False),
    dict(type='LoadSODAnnotations'),
    dict(type='PackSODInputs'),
]
test_dataloader = dict(
    num_workers=0, persistent_workers=False,
    dataset=dict(data_root='{root}', layout=None,
                 data_prefix=dict(img_path='images', seg_map_path='masks'),
                 img_suffix='.png', seg_map_suffix='.png',
                 pipeline=test_pipeline))
val_dataloader = test_dataloader
'''

# name -> image as written to disk (BGR(A), uint8 or uint16), odd sizes
RNG = np.random.RandomState(0)
IMAGES = {
    'a_rgb': (RNG.rand(37, 53, 3) * 255).astype(np.uint8),
    'b_gray': (RNG.rand(64, 40) * 255).astype(np.uint8),
    'c_rgba': (RNG.rand(50, 50, 4) * 255).astype(np.uint8),
    'd_16bit': (RNG.rand(45, 70, 3) * 65535).astype(np.uint16),
}


def _randomise_bn(model: torch.nn.Module, seed: int = 0) -> None:
    """Non-trivial BN statistics, so that folding them is tested."""
    gen = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            n = m.num_features
            m.running_mean.copy_(torch.randn(n, generator=gen) * 0.1)
            m.running_var.copy_(torch.rand(n, generator=gen) + 0.5)
            m.weight.data.copy_(torch.rand(n, generator=gen) + 0.5)
            m.bias.data.copy_(torch.randn(n, generator=gen) * 0.1)


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    """(config path, checkpoint, image folder) with masks for the dataset."""
    root = tmp_path_factory.mktemp('infer')
    (root / 'images').mkdir()
    (root / 'masks').mkdir()
    for name, img in IMAGES.items():
        assert cv2.imwrite(str(root / 'images' / f'{name}.png'), img)
        mask = np.zeros(img.shape[:2], np.uint8)
        mask[:10] = 255
        cv2.imwrite(str(root / 'masks' / f'{name}.png'), mask)
    cfg = root / 'tiny.py'
    cfg.write_text(TINY.format(repo=REPO.as_posix(), root=root.as_posix()))
    model = init_model(str(cfg), fast=False)
    _randomise_bn(model)
    ckpt = root / 'tiny.pth'
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, ckpt)
    return str(cfg), str(ckpt), root


@pytest.fixture(scope='module')
def reference(setup):
    """tools/test.py-style maps: the config's dataset and full test
    pipeline (LoadImageFromFile, LoadSODAnnotations) + model.test_step."""
    cfg_path, ckpt, _ = setup
    model = init_model(cfg_path, ckpt, fast=False)
    from mmseg.registry import DATASETS
    dataset = DATASETS.build(model.cfg.test_dataloader.dataset)
    maps = {}
    for i in range(len(dataset)):
        data = dataset[i]
        with torch.no_grad():
            sample = model.test_step(pseudo_collate([data]))[0]
        name = Path(sample.img_path).stem
        maps[name] = sample.seg_logits.data[0].numpy()
    assert sorted(maps) == sorted(IMAGES)
    return maps


@pytest.fixture(scope='module')
def plain_model(setup):
    cfg_path, ckpt, _ = setup
    return init_model(cfg_path, ckpt, fast=False)


def test_files_match_test_py_inference(setup, reference, plain_model):
    _, _, root = setup
    for name, img in IMAGES.items():
        prob = inference_model(plain_model, root / 'images' / f'{name}.png')
        assert prob.dtype == np.float32
        assert prob.shape == img.shape[:2]
        assert 0 <= prob.min() and prob.max() <= 1
        np.testing.assert_allclose(prob, reference[name], atol=1e-6)


def test_folder_batched_sorted(setup, reference, plain_model, capsys):
    _, _, root = setup
    (root / 'images' / 'notes.txt').write_text('not an image')
    probs = inference_model(plain_model, root / 'images', batch_size=3)
    assert isinstance(probs, list) and len(probs) == len(IMAGES)
    for name, prob in zip(sorted(IMAGES), probs):
        assert prob.shape == IMAGES[name].shape[:2]
        np.testing.assert_allclose(prob, reference[name], atol=1e-5)
    # progress bar for more than one image
    assert f'{len(IMAGES)}/{len(IMAGES)}' in capsys.readouterr().err


def test_arrays_follow_documented_conversion(reference, plain_model):
    rgb, gray, rgba, deep = (
        IMAGES[k] for k in ('a_rgb', 'b_gray', 'c_rgba', 'd_16bit'))
    # gray: three equal channels; (H, W, 1) the same as (H, W)
    np.testing.assert_array_equal(
        to_bgr_uint8(gray), np.repeat(gray[..., None], 3, axis=2))
    # RGBA: alpha dropped; 16 bit: v >> 8
    np.testing.assert_array_equal(to_bgr_uint8(rgba), rgba[..., :3])
    np.testing.assert_array_equal(
        to_bgr_uint8(np.array([[0, 255, 256, 65535]], np.uint16))[0, :, 0],
        [0, 0, 1, 255])
    probs = inference_model(
        plain_model, [rgb, gray[..., None], rgba, deep], batch_size=2)
    for name, prob in zip(('a_rgb', 'b_gray', 'c_rgba', 'd_16bit'), probs):
        assert prob.shape == IMAGES[name].shape[:2]
        # arrays give the map of the same image read from its file
        np.testing.assert_allclose(prob, reference[name], atol=1e-5)
    single = inference_model(plain_model, gray)
    assert isinstance(single, np.ndarray)
    np.testing.assert_allclose(single, reference['b_gray'], atol=1e-6)


def test_16bit_file_equals_its_8bit_conversion(setup, plain_model, tmp_path):
    _, _, root = setup
    eight = tmp_path / 'd_8bit.png'
    cv2.imwrite(str(eight), (IMAGES['d_16bit'] >> 8).astype(np.uint8))
    np.testing.assert_array_equal(
        inference_model(plain_model, root / 'images' / 'd_16bit.png'),
        inference_model(plain_model, eight))


def test_fast_path_equals_plain(setup, reference):
    cfg_path, ckpt, root = setup
    fast = init_model(cfg_path, ckpt)  # fast=True by default
    # BN layers are folded away, weights are channels_last
    assert not any(
        isinstance(m, torch.nn.modules.batchnorm._BatchNorm)
        for m in fast.modules())
    conv = fast.backbone.conv1
    assert conv.weight.is_contiguous(memory_format=torch.channels_last)
    probs = inference_model(fast, root / 'images')
    diff = max(
        float(np.abs(p - reference[n]).max())
        for n, p in zip(sorted(IMAGES), probs))
    assert diff < 1e-4, diff


def test_training_modules_stripped_and_checkpoint_loaded(setup, plain_model):
    cfg_path, ckpt, _ = setup
    assert plain_model.sr_head is None and plain_model.tfgm is None
    state = torch.load(ckpt)['state_dict']
    key = 'decode_head.conv_seg.0.weight'
    torch.testing.assert_close(
        plain_model.state_dict()[key], state[key], rtol=0, atol=0)


def test_errors_name_the_input(setup, plain_model, tmp_path):
    cfg_path, _, _ = setup
    bad = tmp_path / 'broken.png'
    bad.write_bytes(b'this is not a png')
    with pytest.raises(InputError, match='broken.png'):
        inference_model(plain_model, bad)
    with pytest.raises(InputError, match='missing.png'):
        inference_model(plain_model, tmp_path / 'missing.png')
    empty = tmp_path / 'empty'
    empty.mkdir()
    (empty / 'readme.txt').write_text('x')
    with pytest.raises(InputError, match='no image in folder .*empty'):
        inference_model(plain_model, empty)
    with pytest.raises(InputError, match='array #1: unsupported dtype'):
        inference_model(
            plain_model,
            [IMAGES['a_rgb'], np.zeros((8, 8, 3), np.float32)])
    with pytest.raises(InputError, match=r'array #0: unsupported image'):
        inference_model(plain_model, np.zeros((8, 8, 2), np.uint8))
    with pytest.raises(InputError, match='checkpoint not found: .*nope.pth'):
        init_model(cfg_path, str(tmp_path / 'nope.pth'))

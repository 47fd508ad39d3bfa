# Copyright (c) mmrsod contributors. All rights reserved.
"""demo/image_demo.py end to end on a tiny randomly initialised SRAL."""
import os.path as osp
import sys

import cv2
import numpy as np
import pytest
import torch


@pytest.fixture
def demo_setup(tmp_path, write_tiny_config, monkeypatch):
    # the tiny config imports rank_probe_hook from this folder
    monkeypatch.syspath_prepend(osp.dirname(__file__))
    from mmrsod.apis import init_model
    cfg = write_tiny_config('tiny.py', stochastic=False)
    model = init_model(cfg, fast=False)
    ckpt = tmp_path / 'rand.pth'
    torch.save({'state_dict': model.state_dict()}, ckpt)
    images = tmp_path / 'images'
    images.mkdir()
    rng = np.random.RandomState(1)
    cv2.imwrite(
        str(images / 'scene.jpg'),
        (rng.rand(40, 60, 3) * 255).astype(np.uint8))
    cv2.imwrite(
        str(images / 'scene.png'), (rng.rand(30, 20) * 255).astype(np.uint8))
    cv2.imwrite(
        str(images / 'deep.tif'),
        (rng.rand(33, 33, 3) * 65535).astype(np.uint16))
    return cfg, ckpt, images


def test_demo_writes_maps_and_overlays(demo_setup, tmp_path, run_cmd,
                                       repo_root):
    cfg, ckpt, images = demo_setup
    out_dir = tmp_path / 'out'
    res = run_cmd([
        sys.executable,
        str(repo_root / 'demo' / 'image_demo.py'),
        str(images), cfg,
        str(ckpt), '--out-dir',
        str(out_dir), '--batch-size', '2'
    ])
    assert res.returncode == 0, res.stderr[-3000:]
    # shared stems keep their extension in the name
    assert sorted(p.name for p in out_dir.iterdir()) == [
        'deep_overlay.png', 'deep_saliency.png', 'scene_jpg_overlay.png',
        'scene_jpg_saliency.png', 'scene_png_overlay.png',
        'scene_png_saliency.png'
    ]
    from mmrsod.apis import inference_model, init_model, load_image
    model = init_model(cfg, str(ckpt), fast=False)
    for name, stem in (('scene.jpg', 'scene_jpg'), ('scene.png', 'scene_png'),
                       ('deep.tif', 'deep')):
        prob = inference_model(model, images / name)
        sal = cv2.imread(
            str(out_dir / f'{stem}_saliency.png'), cv2.IMREAD_UNCHANGED)
        assert sal.dtype == np.uint8 and sal.shape == prob.shape
        # the demo runs the fast path: equal up to one gray level
        assert np.abs(sal.astype(int) - np.round(prob * 255)).max() <= 1
        over = cv2.imread(str(out_dir / f'{stem}_overlay.png'))
        img = load_image(images / name).astype(np.float64)
        alpha = 0.5 * sal.astype(np.float64)[..., None] / 255
        expect = (1 - alpha) * img + alpha * np.array([0, 0, 255.0])
        assert over.shape == img.shape
        assert np.abs(over - expect).max() <= 1.5


def test_demo_refuses_to_overwrite_inputs_and_bad_input(
        demo_setup, tmp_path, run_cmd, repo_root):
    cfg, ckpt, images = demo_setup
    demo = str(repo_root / 'demo' / 'image_demo.py')
    cv2.imwrite(str(images / 'deep_saliency.png'), np.zeros((8, 8), np.uint8))
    res = run_cmd([
        sys.executable, demo,
        str(images), cfg,
        str(ckpt), '--out-dir',
        str(images)
    ])
    assert res.returncode == 2
    assert 'deep_saliency.png would overwrite an input' in res.stderr
    empty = tmp_path / 'empty'
    empty.mkdir()
    res = run_cmd([
        sys.executable, demo,
        str(empty), cfg,
        str(ckpt), '--out-dir',
        str(tmp_path / 'o')
    ])
    assert res.returncode == 2
    assert f'no image in folder {empty}' in res.stderr

# Copyright (c) mmrsod contributors. All rights reserved.
"""tools/misc/precompute_sam_features.py on the tiny NWPU-layout set.

Runs in-process with a tiny TinyViT (the 1024 px vit_t costs seconds per
image on CPU); the encoder class is the real one, only its size differs.
"""
import os.path as osp
from functools import partial

import pytest
import torch

from mmrsod.models.backbones import TinyViT
from mmrsod.models.utils import FeatureCache, MobileSAMEncoder, make_cache_key
from mmrsod.testing import load_script, tiny_tiny_vit_cfg

BASE = 'retinanet/retinanet_r18_fpn_1xb2-12e_nwpu-lr2x.py'
TINY = tiny_tiny_vit_cfg()


@pytest.fixture
def tool_module(repo_root, monkeypatch):
    path = repo_root / 'tools' / 'misc' / 'precompute_sam_features.py'
    module = load_script(path, 'precompute_tool')
    monkeypatch.setattr(module, 'MobileSAMEncoder',
                        partial(MobileSAMEncoder, encoder=TINY, img_size=64))
    return module


@pytest.fixture
def setup(tmp_path, tiny_coco):
    import det_tiny_data  # on sys.path through the tiny_coco fixture
    cfg, _ = det_tiny_data.write_config(tmp_path / 'cfg.py', BASE, tiny_coco)
    torch.manual_seed(0)
    weights = tmp_path / 'mobile_sam.pt'
    torch.save(
        {
            'image_encoder.' + k: v
            for k, v in TinyViT(**TINY).state_dict().items()
        }, weights)
    return cfg, str(weights), str(tmp_path / 'cache'), tiny_coco


def test_fills_then_reuses_and_verifies(tool_module, setup, capsys):
    cfg, weights, cache_dir, data_root = setup
    args = [cfg, '--checkpoint', weights, '--cache-dir', cache_dir]
    assert tool_module.main(args) == 0
    assert '4 computed, 0 already cached' in capsys.readouterr().out
    encoder = MobileSAMEncoder(weights, encoder=TINY, img_size=64)
    cache = FeatureCache(cache_dir, encoder.fingerprint())
    # Keys: absolute path, no flip, the 128 px LR input (256 px HR / 2).
    key = make_cache_key(
        osp.join(str(data_root), 'images', 'tile_01_0_0.png'), None,
        (128, 128))
    assert cache.get(key).shape == (16, 4, 4)
    assert tool_module.main(args + ['--verify', '2']) == 0
    assert '0 computed, 4 already cached, 2 verified' in \
        capsys.readouterr().out
    cache.put(key, cache.get(key).float() + 1)  # a stale entry
    assert tool_module.main(args + ['--verify', '4']) == 1
    assert 'disagree with fresh ones' in capsys.readouterr().err


def test_refuses_random_encoder(tool_module, setup, capsys):
    cfg, _, cache_dir, _ = setup
    with pytest.raises(SystemExit) as exc:
        tool_module.main([cfg, '--cache-dir', cache_dir])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith('precompute_sam_features.py: error: '
                          '--checkpoint is required')
    assert tool_module.main(
        [cfg, '--cache-dir', cache_dir, '--allow-random-encoder']) == 0
    assert 'RANDOM weights' in capsys.readouterr().out
    with pytest.raises(SystemExit):
        tool_module.main([
            cfg, '--cache-dir', cache_dir, '--checkpoint',
            cache_dir + '/missing.pt'
        ])
    assert 'MobileSAM checkpoint not found: ' in capsys.readouterr().err

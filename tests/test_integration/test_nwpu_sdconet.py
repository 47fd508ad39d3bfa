# Copyright (c) mmrsod contributors. All rights reserved.
"""Integration: SDCoNet trains on real NWPU VHR-10 tiles (2x LR, 256 px)
through tools/train.py across the gradient-routing switch.

A few real positives are converted and tiled at 512/100 (as the config's
data recipe), then the full SDCoNet config trains three one-iteration
epochs with the detection-only stage shortened to two epochs: the SR
branch is bit-identical through stage 1 (epochs 1-2), trains in stage 2
(epoch 3), and the SR loss appears in the log only in stage 2.
"""
import re
import sys
from pathlib import Path

import pytest
import torch

from mmrsod.utils import trusted_torch_load

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nwpu_data as nwpu  # noqa: E402 # isort: skip

SUBSET = 6

CONFIG = '''
_base_ = ['{repo}/configs/sdconet/sdconet_swin-t_1xb2-36e_nwpu-lr2x.py']
data_root = '{root}/'
model = dict(backbone=dict(init_cfg=None))
train_cfg = dict(max_epochs=3, val_interval=100)
val_dataloader = None
val_cfg = None
val_evaluator = None
param_scheduler = []
custom_hooks = [dict(type='GradientRoutingHook', detection_epochs=2)]
train_dataloader = dict(
    num_workers=0, persistent_workers=False,
    sampler=dict(shuffle=False),
    dataset=dict(data_root=data_root, indices=2))
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(interval=1))
randomness = dict(seed=0)
'''


def _sr_state(path):
    state = trusted_torch_load(path)['state_dict']
    return {
        k: v
        for k, v in state.items()
        if k.startswith(('sr_head.', 'backbone.norm0.'))
    }


@pytest.mark.skipif(not nwpu.has_nwpu(), reason=nwpu.NWPU_MISSING)
def test_sdconet_trains_through_both_stages_on_real_tiles(tmp_path):
    tools = nwpu.REPO / 'tools'
    sub = nwpu.link_subset(tmp_path / 'NWPU subset', SUBSET)
    nwpu.run([
        tools / 'dataset_converters' / 'nwpu_vhr10.py', sub, tmp_path / 'coco'
    ])
    split_dir = tmp_path / 'nwpu_vhr10_split'
    nwpu.run([
        tools / 'dataset_converters' / 'split_tiles.py',
        tmp_path / 'coco' / 'nwpu_vhr10_train.json', sub, split_dir, '--tile',
        512, '--overlap', 100
    ])

    cfg = tmp_path / 'sdconet_nwpu_smoke.py'
    cfg.write_text(
        CONFIG.format(repo=nwpu.REPO.as_posix(), root=split_dir.as_posix()))
    work = tmp_path / 'work'
    nwpu.run([tools / 'train.py', cfg, '--work-dir', work])

    stage1_a = _sr_state(work / 'epoch_1.pth')
    stage1_b = _sr_state(work / 'epoch_2.pth')
    stage2 = _sr_state(work / 'epoch_3.pth')
    assert stage1_a and stage1_a.keys() == stage2.keys()
    assert all(torch.equal(stage1_a[k], stage1_b[k]) for k in stage1_a)
    assert any(not torch.equal(stage1_b[k], stage2[k]) for k in stage1_b)
    det_a = trusted_torch_load(work / 'epoch_1.pth')['state_dict']
    det_b = trusted_torch_load(work / 'epoch_2.pth')['state_dict']
    key = 'bbox_head.cls_branches.0.weight'
    assert not torch.equal(det_a[key], det_b[key])  # detector trains

    text = next((work / sorted(p.name for p in work.iterdir()
                               if p.is_dir())[-1]).glob('*.log')).read_text()
    epochs = re.findall(r'Epoch\(train\) +\[(\d)\]\[1/1\](.*)', text)
    assert [epoch for epoch, _ in epochs] == ['1', '2', '3']
    for epoch, line in epochs:
        assert ('loss_sr:' in line) == (epoch == '3'), line[:300]
        assert 'loss_saliency:' in line

# Copyright (c) mmrsod contributors. All rights reserved.
"""tools/train.py on the SDCoNet Table V config (Cascade R-CNN Swin-T + SR
branch) with gradient routing after one epoch: the tiny generated COCO set
(4 HR images of 256 px, LR network input 128 px), 2 epochs of 2
iterations. Epoch 1 logs no ``loss_sr`` (stage 1), epoch 2 does."""
import re
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import det_tiny_data as tiny  # noqa: E402 # isort: skip

CONFIG = 'sdconet/sdconet-sr_cascade-rcnn_swin-t_fpn_1xb2-36e_nwpu-lr2x.py'
# the config's model at a width of 16 (Swin, SR decoder) and 32 (FPN,
# heads) with one Swin block per stage, to keep the test fast
SMALL_MODEL = """
custom_hooks = [dict(type='GradientRoutingHook', detection_epochs=1)]
model = dict(
    backbone=dict(init_cfg=None, embed_dims=16, depths=[1, 1, 1, 1],
                  num_heads=[1, 2, 4, 8]),
    neck=dict(in_channels=[16, 32, 64, 128], out_channels=32),
    rpn_head=dict(in_channels=32, feat_channels=32),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=32),
        bbox_head=[
            dict(_base_.model.roi_head.bbox_head[i], in_channels=32,
                 fc_out_channels=64) for i in range(3)
        ]),
    sr_head=dict(in_channels=(16, 32, 64, 128), num_heads=(4, 2, 1),
                 dec_channels=8))
"""


@pytest.fixture(scope='module')
def tiny_coco(tmp_path_factory):
    root = tmp_path_factory.mktemp('det') / 'nwpu_split'
    tiny.make_tiny_coco(root)
    return root


def test_train_through_both_stages(tiny_coco, tmp_path, tool):
    cfg, _ = tiny.write_config(
        tmp_path / 'sr_cascade.py',
        CONFIG,
        tiny_coco,
        max_epochs=2,
        extra=SMALL_MODEL)
    work = tmp_path / 'work'
    out = tool('train.py', cfg, '--work-dir', work)
    log = out.stdout + out.stderr
    assert out.returncode == 0, log[-4000:]
    assert 'GradientRoutingHook: epoch 1: stage 1' in log
    assert 'GradientRoutingHook: epoch 2: stage 2' in log
    lines = {
        epoch: re.findall(rf'Epoch\(train\) +\[{epoch}\]\[\d/2\].*', log)
        for epoch in (1, 2)
    }
    assert len(lines[1]) == 2 and len(lines[2]) == 2, log[-4000:]
    assert not any('loss_sr' in line for line in lines[1])
    sr_losses = [
        float(re.search(r'loss_sr: ([\d.]+)', line).group(1))
        for line in lines[2]
    ]
    # L1 x 5 on [0, 1] images: finite and positive
    assert all(np.isfinite(sr_losses)) and min(sr_losses) > 0
    assert (work / 'epoch_2.pth').is_file()

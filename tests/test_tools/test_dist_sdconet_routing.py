# Copyright (c) mmrsod contributors. All rights reserved.
"""tools/dist_train.sh (2-process gloo DDP) on the SDCoNet Table V config
(Cascade R-CNN Swin-T + SR branch) at a tiny width, on the tiny generated
COCO set (4 HR images of 256 px, LR network input 128 px): 3 epochs of one
iteration per rank with ``GradientRoutingHook(detection_epochs=2)``.
Epochs 1-2 log no ``loss_sr`` (stage 1), epoch 3 does. The SR weights
stay bit-identical through the stage-1 epochs (DDP with
``find_unused_parameters=True`` leaves their gradients None, so AdamW's
weight decay does not touch them either), change in stage 2, and both
ranks end equal."""
import re
import shutil
import sys
from pathlib import Path

import pytest
import torch

from mmrsod.utils import trusted_torch_load

sys.path.insert(0, str(Path(__file__).resolve().parent))
import det_tiny_data as tiny  # noqa: E402 # isort: skip
from dist_utils import free_port  # noqa: E402 # isort: skip

pytestmark = pytest.mark.skipif(
    shutil.which('bash') is None, reason='needs bash')

CONFIG = 'sdconet/sdconet-sr_cascade-rcnn_swin-t_fpn_1xb2-36e_nwpu-lr2x.py'
# the config's model at a width of 16 (Swin, SR decoder) and 32 (FPN,
# heads) with one Swin block per stage, to keep the test fast
SMALL_MODEL = """
custom_hooks = [dict(type='GradientRoutingHook', detection_epochs=2),
                dict(type='StateDumpHook')]
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


def test_ddp_routing(tiny_coco, tmp_path, run_cmd, repo_root):
    cfg, _ = tiny.write_config(
        tmp_path / 'sr_cascade.py',
        CONFIG,
        tiny_coco,
        max_epochs=3,
        extra=SMALL_MODEL + 'default_hooks = dict(logger=dict(interval=1), '
        'checkpoint=dict(interval=1))')
    work = tmp_path / 'work'
    out = run_cmd([
        'bash',
        str(repo_root / 'tools' / 'dist_train.sh'), cfg, '2', '--work-dir',
        str(work), '--cfg-options', 'env_cfg.dist_cfg.backend=gloo'
    ],
                  env_extra=dict(PYTHON=sys.executable, PORT=str(free_port())),
                  timeout=900)
    log = out.stdout + out.stderr
    assert out.returncode == 0, log[-4000:]
    # the hook logs the stage of the first epoch and each switch
    switches = re.findall(r'GradientRoutingHook: epoch (\d): stage (\d)', log)
    assert switches == [('1', '1'), ('3', '2')], switches
    for epoch, stage in ((1, 1), (2, 1), (3, 2)):
        lines = re.findall(rf'Epoch\(train\) +\[{epoch}\]\[1/1\].*', log)
        assert len(lines) == 1, log[-4000:]
        assert ('loss_sr' in lines[0]) == (stage == 2), lines[0]
    sr_loss = float(re.search(r'loss_sr: ([\d.]+)', log).group(1))
    assert sr_loss > 0  # L1 x 5 on [0, 1] images

    def load(name):
        state = trusted_torch_load(str(work / name), map_location='cpu')
        return state.get('state_dict', state)

    init = load('state_init_rank0.pth')
    epochs = [load(f'epoch_{e}.pth') for e in (1, 2, 3)]
    finals = [load(f'state_final_rank{r}.pth') for r in (0, 1)]
    sr_keys = [
        k for k in init
        if k.startswith('sr_head.') and 'relative_position_index' not in k
    ]
    assert sr_keys
    for key in sr_keys:
        assert torch.equal(init[key], epochs[0][key]), key
        assert torch.equal(init[key], epochs[1][key]), key
    changed = [k for k in sr_keys if not torch.equal(init[k], epochs[2][k])]
    assert len(changed) == len(sr_keys)
    # the detector trained in stage 1
    det = [k for k in init if k.startswith('roi_head.')]
    assert any(not torch.equal(init[k], epochs[0][k]) for k in det)
    for key, value in finals[0].items():
        assert torch.equal(value, finals[1][key]), key

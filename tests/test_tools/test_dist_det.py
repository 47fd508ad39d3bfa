# Copyright (c) mmrsod contributors. All rights reserved.
"""2-process gloo DDP training (tools/dist_train.sh) of one config per
detection family on the tiny generated COCO set: both ranks end with the
same parameters and buffers, and training moved the weights.

Backbones run with frozen BN statistics (mmdet's ``norm_eval=True``), so
the buffers stay equal without SyncBN; every parameter that requires a
gradient receives one (DDP runs with ``find_unused_parameters=False``).
"""
import json
import shutil
import sys
from pathlib import Path

import pytest
import torch

from mmrsod.testing import tiny_tiny_vit_cfg
from mmrsod.utils import trusted_torch_load

sys.path.insert(0, str(Path(__file__).resolve().parent))
import det_tiny_data as tiny  # noqa: E402 # isort: skip
from dist_utils import free_port  # noqa: E402 # isort: skip

pytestmark = pytest.mark.skipif(
    shutil.which('bash') is None, reason='needs bash')

# family -> (config, HR / network input, extra model keys). R-CNN and
# RetinaNet inputs are 128 px (HR 256 / 2); DINO's are 64 px, where its
# 4 levels have 64 + 16 + 4 + 1 = 85 tokens, so num_queries <= 85
FAMILIES = {
    'faster_rcnn':
    ('faster_rcnn/faster-rcnn_r18_fpn_1xb2-12e_nwpu-lr2x.py', 2, ''),
    'retinanet': ('retinanet/retinanet_r18_fpn_1xb2-12e_nwpu-lr2x.py', 2, ''),
    'cascade_rcnn':
    ('cascade_rcnn/cascade-rcnn_r50_fpn_1xb2-12e_nwpu-lr2x.py', 2, ''),
    'dino':
    ('dino/dino-4scale_swin-t_1xb2-12e_nwpu-lr2x.py', 4, ', num_queries=50'),
    # saliency, token filtering, background embedding and the SR branch;
    # epoch 1 is the detection-only stage, epoch 2 trains the SR branch
    # (the tiny set is 4x downsampled, so the SR head upsamples 4x)
    'sdconet': ('sdconet/sdconet_swin-t_1xb2-36e_nwpu-lr2x.py', 4,
                ', num_queries=50, sr_head=dict(upscale=4)'),
}
# distillation families: the student is the config's, the teacher (R50)
# is loaded on both ranks from one checkpoint written by the test, and
# IFKD runs with every module on (a tiny random MobileSAM, a cache shared
# by the two ranks); the spectral filters and adapters must train in step
DISTILL = {
    'ifkd_retinanet': 'ifkd/retinanet_r18_fpn_ifkd_r50_1xb2-12e_nwpu-lr2x.py',
    'ifkd_faster_rcnn':
    'ifkd/faster-rcnn_r18_fpn_ifkd_r50_1xb2-12e_nwpu-lr2x.py',
    # FGD's learnable context blocks (one per level)
    'fgd_retinanet': 'ifkd/retinanet_r18_fpn_fgd_r50_1xb2-12e_nwpu-lr2x.py',
}
FAMILIES.update({family: (cfg, 2, '') for family, cfg in DISTILL.items()})
TINY_SAM = repr(tiny_tiny_vit_cfg(neck_channels=256))
DISTILL_MODEL = (
    'model = dict(student=dict(backbone=dict(init_cfg=None)), '
    "teacher_ckpt='{ckpt}', distill_losses=dict(ifkd=dict(ede=dict("
    '_delete_=True, allow_random=True, encoder={sam}, img_size=64, '
    "cache_dir='{cache}'))))")
BASELINE_MODEL = ('model = dict(student=dict(backbone=dict(init_cfg=None)), '
                  "teacher_ckpt='{ckpt}')")


def write_teacher_ckpt(distill_cfg: str, path: Path) -> str:
    """Save a randomly initialised teacher of ``distill_cfg``."""
    from mmdet.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import DefaultScope

    from mmrsod.models.detectors.distillation_detector import \
        load_teacher_config
    cfg = Config.fromfile(
        str(Path(__file__).parents[2] / 'configs' / distill_cfg))
    model_cfg = load_teacher_config(cfg.model.teacher_config).model
    model_cfg.backbone.init_cfg = None
    torch.manual_seed(1)
    with DefaultScope.overwrite_default_scope('mmdet'):
        teacher = MODELS.build(model_cfg)
    teacher.init_weights()
    torch.save(teacher.state_dict(), path)
    return str(path)


# hooks a family needs besides the probes
FAMILY_HOOKS = {
    'sdconet': "dict(type='GradientRoutingHook', detection_epochs=1), ",
}


@pytest.mark.parametrize('family', sorted(FAMILIES))
def test_ddp_two_processes_same_weights(family, tiny_coco, tmp_path, run_cmd,
                                        repo_root):
    base, scale, model_extra = FAMILIES[family]
    # 4 images over 2 processes at batch 2: one iteration per epoch
    cfg, _ = tiny.write_config(
        tmp_path / f'{family}.py',
        base,
        tiny_coco,
        lr_scale=scale,
        max_epochs=2,
        model_extra=model_extra,
        extra='custom_hooks = [' + FAMILY_HOOKS.get(family, '') +
        "dict(type='RankProbeHook'), dict(type='StateDumpHook')]\n"
        # no warm-up: its first lr (x0.001) moves weights by less than
        # their float32 resolution
        'param_scheduler = []\n')
    if family in DISTILL:
        ckpt = write_teacher_ckpt(base, tmp_path / 'teacher.pth')
        text = Path(cfg).read_text()
        line = 'model = dict(backbone=dict(init_cfg=None))'
        assert line in text
        Path(cfg).write_text(
            text.replace(
                line,
                (DISTILL_MODEL if 'ifkd' in family else BASELINE_MODEL).format(
                    ckpt=ckpt, sam=TINY_SAM, cache=tmp_path / 'cache')))
    work = tmp_path / 'work'
    out = run_cmd([
        'bash',
        str(repo_root / 'tools' / 'dist_train.sh'), cfg, '2', '--work-dir',
        str(work), '--cfg-options', 'env_cfg.dist_cfg.backend=gloo'
    ],
                  env_extra=dict(PYTHON=sys.executable, PORT=str(free_port())),
                  timeout=900)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-4000:]
    for rank in (0, 1):
        probe = json.loads((work / f'rank_{rank}.json').read_text())
        assert probe['rank'] == rank and probe['world_size'] == 2
        assert probe['iters'] == 2
        assert probe['wrapper'] == 'MMDistributedDataParallel'
    init = trusted_torch_load(
        str(work / 'state_init_rank0.pth'), map_location='cpu')
    final = [
        trusted_torch_load(
            str(work / f'state_final_rank{r}.pth'), map_location='cpu')
        for r in (0, 1)
    ]
    assert init.keys() == final[0].keys() == final[1].keys()
    # buffers that never train: BN statistics (frozen, norm_eval=True) and
    # Swin's relative position index
    buffers = ('running_mean', 'running_var', 'num_batches_tracked',
               'relative_position_index')
    stem = ('backbone.conv1.', 'backbone.bn1.', 'backbone.layer1.')
    trainable = [
        k for k in final[0] if not k.endswith(buffers)
        and not k.split('student.', 1)[-1].startswith(stem)
    ]
    still = []
    for key, value in final[0].items():
        assert torch.equal(value, final[1][key]), key
        if key in trainable and torch.equal(value, init[key]):
            still.append(key)
    # two optimiser steps moved the trainable tensors (the ResNet stem and
    # stage 1 are frozen, frozen_stages=1); a coarse FPN level's bias may
    # get an exactly zero gradient on 4 tiny images, hence 95 %, not all
    assert len(still) <= 0.05 * len(trainable), (family, still)
    if family == 'fgd_retinanet':
        assert {k.split('.')[0]
                for k in final[0]} == {'student', 'distill_losses'}
        # every context block trained (its last conv starts at 0)
        moved = set(trainable) - set(still)
        for level in range(5):
            block = f'distill_losses.fgd.context_blocks.{level}.'
            assert {
                block + 'channel_add.3.weight', block + 'conv_mask.weight'
            } <= moved, level
    if 'ifkd' in family:
        # the teacher and MobileSAM stay out of the state dict; the
        # adapters and the spectral filters of levels larger than 1 x 1
        # (P3-P6 at 128 px) trained, identically on both ranks
        assert {k.split('.')[0]
                for k in final[0]
                } == {'student', 'adapters', 'distill_losses'}
        moved = {k for k in trainable if k not in still}
        assert {f'adapters.{i}.weight' for i in range(5)} <= moved
        assert {f'distill_losses.ifkd.fdr.filters.{i}'
                for i in range(4)} <= moved
        # one cache entry per training image (both ranks, 2 epochs)
        assert len(list((tmp_path / 'cache').rglob('*.pt'))) == 4

# Copyright (c) mmrsod contributors. All rights reserved.
"""Integration: a few SRAL training iterations on the real ORSSD train
split, then evaluation on a slice of the real test split, through
tools/train.py and tools/test.py."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(
    os.environ.get('MMRSOD_SHARED_DATA', REPO.parent / 'shared' / 'data'))
ORSSD = SHARED / 'sod' / 'ORSSD'

CONFIG = '''
_base_ = ['{repo}/configs/sral/sral_r18_1xb4-300iter_demo.py']
data_root = '{root}'
model = dict(data_preprocessor=dict(size=(112, 112)))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadSODAnnotations'),
    dict(type='SODResize', scale=224, soft_label=True),
    dict(type='RandomFlipRotate', scheme='sral'),
    dict(type='GenerateLRInput', scale_factor=0.5, make_sr_target=True),
    dict(type='PackSODInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='SODResize', scale=224),
    dict(type='GenerateLRInput', scale_factor=0.5, make_sr_target=False),
    dict(type='LoadSODAnnotations'),
    dict(type='PackSODInputs'),
]
train_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline=test_pipeline, indices=6))
test_dataloader = val_dataloader
train_cfg = dict(max_iters=3, val_interval=3)
param_scheduler = [dict(type='PolyLR', power=0.9, begin=0, end=3,
                        by_epoch=False)]
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(interval=3))
'''


@pytest.mark.skipif(
    not (ORSSD / 'train-images').is_dir(),
    reason=f'real ORSSD data not found at {ORSSD} (set MMRSOD_SHARED_DATA)')
def test_sral_trains_on_real_orssd(tmp_path):
    cfg = tmp_path / 'sral_orssd_smoke.py'
    cfg.write_text(CONFIG.format(repo=REPO.as_posix(), root=ORSSD.as_posix()))
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS='2')
    out = subprocess.run([
        sys.executable,
        str(REPO / 'tools' / 'train.py'),
        str(cfg), '--work-dir',
        str(tmp_path / 'work')
    ],
                         cwd=str(REPO),
                         env=env,
                         capture_output=True,
                         text=True,
                         timeout=900)
    log = out.stdout + out.stderr
    assert out.returncode == 0, log[-4000:]
    # 600 real training pairs were found and validated
    assert 'Iter(train) [3/3]' in log
    losses = [float(x) for x in re.findall(r'\bloss: ([\d.]+)', log)]
    assert len(losses) == 3 and all(v == v and v < 1e4 for v in losses)
    # the validation on 6 real test images reported saliency metrics
    assert re.search(r'Iter\(val\) \[6/6\]', log)
    assert re.search(r'Sm: [\d.]+', log) and re.search(r'MAE: [\d.]+', log)
    assert (tmp_path / 'work' / 'iter_3.pth').is_file()

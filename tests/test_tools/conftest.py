# Copyright (c) mmrsod contributors. All rights reserved.
"""Fixtures for the command-line tool tests: a tiny generated SOD dataset
and a small, fast config that inherits the repository's base configs."""
import os
import os.path as osp
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

TINY_CONFIG = '''
_base_ = [
    '{repo}/configs/_base_/models/sral_r18.py',
    '{repo}/configs/_base_/datasets/sod_sral.py',
    '{repo}/configs/_base_/default_runtime.py',
    '{repo}/configs/_base_/schedules/sgd_poly_iter.py',
]
custom_imports = dict(
    imports=[
        'mmrsod.datasets', 'mmrsod.models', 'mmrsod.evaluation',
        'mmrsod.engine', 'rank_probe_hook'
    ],
    allow_failed_imports=False)
data_root = '{data_root}'
model = dict(
    data_preprocessor=dict(size=(64, 64)),
    backbone=dict(init_cfg=None),
    sr_head=dict(fuse_dropouts=({dropout}, {dropout})))
log_processor = dict(by_epoch=False)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadSODAnnotations'),
    dict(type='SODResize', scale=128, soft_label=True),
    {augment}dict(type='GenerateLRInput', scale_factor=0.5,
                  make_sr_target=True),
    dict(type='PackSODInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='SODResize', scale=128),
    dict(type='GenerateLRInput', scale_factor=0.5, make_sr_target=False),
    dict(type='LoadSODAnnotations'),
    dict(type='PackSODInputs'),
]
train_dataloader = dict(
    batch_size=2,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, layout='orssd',
                 pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, layout='orssd',
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
max_iters = {max_iters}
train_cfg = dict(max_iters=max_iters, val_interval=1000)
param_scheduler = [
    dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=6,
         by_epoch=False)
]
default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(interval={ckpt_interval}, max_keep_ckpts=10))
custom_hooks = [dict(type='RankProbeHook')]
randomness = dict(seed=0, deterministic=True)
env_cfg = dict(cudnn_benchmark=False)
'''


@pytest.fixture(scope='session')
def tiny_dataset(tmp_path_factory) -> str:
    from mmrsod.testing import generate_demo_dataset
    root = str(tmp_path_factory.mktemp('data') / 'demo_sod')
    generate_demo_dataset(root, num_train=8, num_test=4, size=96, seed=0)
    return root


@pytest.fixture(scope='session')
def tiny_coco(tmp_path_factory) -> Path:
    """The tiny generated COCO set of ``det_tiny_data`` (read only)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import det_tiny_data
    root = tmp_path_factory.mktemp('det') / 'nwpu_split'
    det_tiny_data.make_tiny_coco(root)
    return root


@pytest.fixture
def write_tiny_config(tmp_path, tiny_dataset):
    """Return ``make(name, max_iters, ckpt_interval) -> config path``."""

    def make(name: str = 'tiny.py',
             max_iters: int = 6,
             ckpt_interval: int = 3,
             stochastic: bool = True) -> str:
        """``stochastic=False`` removes dropout and random augmentation:
        mmengine does not restore RNG streams on resume, so only such a run
        can be compared bit for bit with an uninterrupted one."""
        path = tmp_path / name
        path.write_text(
            TINY_CONFIG.format(
                repo=REPO.as_posix(),
                data_root=Path(tiny_dataset).as_posix(),
                max_iters=max_iters,
                ckpt_interval=ckpt_interval,
                dropout=0.1 if stochastic else 0.0,
                augment=("dict(type='RandomFlipRotate', scheme='sral'),\n    "
                         if stochastic else '')))
        return str(path)

    return make


def run_tool(args, cwd=None, timeout=600, env_extra=None):
    """Run a tool with this interpreter; returns CompletedProcess."""
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        [str(REPO),
         osp.dirname(__file__),
         env.get('PYTHONPATH', '')])
    env.setdefault('OMP_NUM_THREADS', '1')
    if env_extra:
        env.update(env_extra)
    return subprocess.run(
        args,
        cwd=cwd or str(REPO),
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout)


@pytest.fixture
def tool():
    """``tool('train.py', *args)`` runs tools/<path> with sys.executable."""

    def call(script: str, *args, **kwargs):
        return run_tool(
            [sys.executable, str(REPO / 'tools' / script)] +
            [str(a) for a in args], **kwargs)

    return call


@pytest.fixture
def run_cmd():
    """``run_cmd(argv, env_extra=..., timeout=...)`` with the repo on the
    path; see :func:`run_tool`."""
    return run_tool


@pytest.fixture
def repo_root() -> Path:
    return REPO

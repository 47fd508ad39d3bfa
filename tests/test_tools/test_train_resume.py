# Copyright (c) mmrsod contributors. All rights reserved.
"""Train, stop, resume: the run continues exactly where it stopped.

mmengine restores weights, optimizer state, scheduler position, iteration
counter and data order, but not the RNG streams of dropout and random
augmentation; the bit-exact comparison therefore uses a config without
either (``stochastic=False``)."""
import os.path as osp

import torch

import mmrsod  # noqa: F401  (checkpoint loading on torch >= 2.6)
from mmrsod.utils import trusted_torch_load
from mmrsod.utils.atomic_io import current_umask


def _state(path):
    return trusted_torch_load(path, map_location='cpu')


def test_resume_continues_exactly(tmp_path, write_tiny_config, tool):
    straight = write_tiny_config(
        'straight.py', stochastic=False, max_iters=6, ckpt_interval=3)
    first = write_tiny_config(
        'first.py', stochastic=False, max_iters=3, ckpt_interval=3)
    second = write_tiny_config(
        'second.py', stochastic=False, max_iters=6, ckpt_interval=3)

    # reference: 6 iterations in one go
    ref_dir = tmp_path / 'ref'
    out = tool('train.py', straight, '--work-dir', ref_dir)
    assert out.returncode == 0, out.stderr[-3000:]
    # the stack's known deprecation notices are quiet; on CPU the logged
    # environment is gloo without cuDNN benchmark
    log = out.stdout + out.stderr
    for known in ('pkg_resources', 'build_loss', 'FileClient',
                  'HardDiskBackend', 'The draw is False'):
        assert known not in log, known
    if not torch.cuda.is_available():
        assert "dist_cfg: {'backend': 'gloo'}" in log
        assert 'cudnn_benchmark: False' in log
    # checkpoints get the umask's permissions (not mkstemp's 0600)
    umask = current_umask()
    assert (ref_dir / 'iter_6.pth').stat().st_mode & 0o777 == 0o666 & ~umask

    # the same run, stopped after 3 iterations ...
    run_dir = tmp_path / 'run'
    out = tool('train.py', first, '--work-dir', run_dir)
    assert out.returncode == 0, out.stderr[-3000:]
    assert osp.isfile(run_dir / 'iter_3.pth')
    assert not osp.exists(run_dir / 'iter_6.pth')
    # ... then resumed from its last checkpoint (``--resume`` without path)
    out = tool('train.py', second, '--work-dir', run_dir, '--resume')
    assert out.returncode == 0, out.stderr[-3000:]
    log = out.stdout + out.stderr
    assert 'resumed epoch: 0, iter: 3' in log, log[-3000:]

    ref = _state(str(ref_dir / 'iter_6.pth'))
    got = _state(str(run_dir / 'iter_6.pth'))
    assert got['meta']['iter'] == ref['meta']['iter'] == 6
    assert all(
        torch.isfinite(v).all() for v in ref['state_dict'].values()
        if v.is_floating_point()), 'reference run diverged'
    assert ref['state_dict'].keys() == got['state_dict'].keys()
    for key, value in ref['state_dict'].items():
        torch.testing.assert_close(
            got['state_dict'][key], value, rtol=0, atol=0, msg=key)
    # the resumed run really trained iterations 4..6 from the checkpoint
    mid = _state(str(run_dir / 'iter_3.pth'))['state_dict']
    changed = [
        k for k, v in mid.items()
        if v.is_floating_point() and not torch.equal(v, got['state_dict'][k])
    ]
    assert changed
    # optimizer momentum buffers were restored, not re-initialised
    assert got['optimizer']['state'].keys() == ref['optimizer']['state'].keys()

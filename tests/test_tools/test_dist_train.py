# Copyright (c) mmrsod contributors. All rights reserved.
"""tools/dist_train.sh: two CPU processes under torchrun (gloo) through
mmengine's MMDistributedDataParallel."""
import json
import os
import shutil
import socket
import sys

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.mark.skipif(shutil.which('bash') is None, reason='needs bash')
def test_dist_train_two_processes(tmp_path, write_tiny_config, run_cmd,
                                  repo_root):
    cfg = write_tiny_config('dist.py', max_iters=4, ckpt_interval=4)
    work_dir = tmp_path / 'work'
    out = run_cmd([
        'bash',
        str(repo_root / 'tools' / 'dist_train.sh'), cfg, '2', '--work-dir',
        str(work_dir), '--cfg-options', 'env_cfg.dist_cfg.backend=gloo'
    ],
                  env_extra=dict(
                      PYTHON=sys.executable, PORT=str(_free_port())),
                  timeout=900)
    assert out.returncode == 0, (out.stdout[-2000:] + out.stderr[-4000:])
    probes = []
    for rank in (0, 1):
        path = work_dir / f'rank_{rank}.json'
        assert path.is_file(), f'rank {rank} did not finish training'
        probes.append(json.loads(path.read_text()))
    for rank, probe in enumerate(probes):
        assert probe['rank'] == rank
        assert probe['world_size'] == 2
        assert probe['iters'] == 4
        assert probe['is_wrapped']
        assert probe['wrapper'] == 'MMDistributedDataParallel'
    ckpts = sorted(p.name for p in work_dir.glob('*.pth'))
    assert ckpts == ['iter_4.pth']
    assert (work_dir / 'last_checkpoint').is_file()
    assert os.path.getsize(work_dir / 'iter_4.pth') > 0


def _metrics(log: str) -> dict:
    import re
    line = [
        ln for ln in log.splitlines() if 'Iter(test)' in ln and 'Sm:' in ln
    ]
    assert line, log[-3000:]
    return {
        k: float(v)
        for k, v in re.findall(r'(\w+): ([\d.]+)', line[-1])
        if k in ('Sm', 'maxF', 'meanF', 'adpF', 'maxE', 'meanE', 'adpE', 'wF',
                 'MAE')
    }


@pytest.mark.skipif(shutil.which('bash') is None, reason='needs bash')
def test_dist_test_matches_single_process(tmp_path, write_tiny_config, run_cmd,
                                          repo_root):
    """2-process evaluation gathers per-image statistics: the metrics equal
    the single-process ones (4 test images split 2 + 2)."""
    cfg = write_tiny_config('dist_test.py', max_iters=1, ckpt_interval=1)
    work = tmp_path / 'work'
    out = run_cmd([
        sys.executable,
        str(repo_root / 'tools' / 'train.py'), cfg, '--work-dir',
        str(work)
    ])
    assert out.returncode == 0, out.stderr[-3000:]
    ckpt = str(work / 'iter_1.pth')
    single = run_cmd([
        sys.executable,
        str(repo_root / 'tools' / 'test.py'), cfg, ckpt, '--work-dir',
        str(tmp_path / 's')
    ])
    assert single.returncode == 0, single.stderr[-3000:]
    dist = run_cmd([
        'bash',
        str(repo_root / 'tools' / 'dist_test.sh'), cfg, ckpt, '2',
        '--work-dir',
        str(tmp_path / 'd')
    ],
                   env_extra=dict(
                       PYTHON=sys.executable, PORT=str(_free_port())),
                   timeout=900)
    assert dist.returncode == 0, dist.stdout[-2000:] + dist.stderr[-3000:]
    expected = _metrics(single.stdout + single.stderr)
    got = _metrics(dist.stdout + dist.stderr)
    assert len(expected) == 9 and got == expected

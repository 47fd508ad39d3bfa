# Copyright (c) mmrsod contributors. All rights reserved.
"""Shared by the NWPU VHR-10 integration tests: where the real release is,
a symlinked subset of it in its own layout, and running the tools."""
import os
import subprocess
import sys
from pathlib import Path
from typing import Sequence

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(
    os.environ.get('MMRSOD_SHARED_DATA', REPO.parent / 'shared' / 'data'))
NWPU = SHARED / 'det' / 'NWPU VHR-10 dataset'
NWPU_MISSING = (f'real NWPU VHR-10 data not found at {NWPU} '
                '(set MMRSOD_SHARED_DATA)')


def has_nwpu() -> bool:
    """Whether the real release is there."""
    return (NWPU / 'positive image set').is_dir()


def link_subset(dst: Path, count: int) -> Path:
    """The first ``count`` positives (sorted by name) and their labels,
    symlinked into ``dst`` in the release layout (folder names with
    spaces).

    Args:
        dst (Path): Folder to create.
        count (int): Number of positive images.

    Returns:
        Path: ``dst``.
    """
    (dst / 'positive image set').mkdir(parents=True)
    (dst / 'ground truth').mkdir()
    stems = sorted(
        p.stem for p in (NWPU / 'positive image set').iterdir()
        if p.suffix == '.jpg')[:count]
    for stem in stems:
        (dst / 'positive image set' / f'{stem}.jpg').symlink_to(
            NWPU / 'positive image set' / f'{stem}.jpg')
        (dst / 'ground truth' / f'{stem}.txt').symlink_to(
            NWPU / 'ground truth' / f'{stem}.txt')
    return dst


def run(args: Sequence, timeout: int = 600) -> str:
    """Run ``python ARGS`` from the repository root; fail the test with
    the end of its output when it fails.

    Returns:
        str: Its stdout.
    """
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS='2')
    out = subprocess.run(
        [sys.executable] + [str(a) for a in args],
        cwd=str(REPO),
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout)
    assert out.returncode == 0, (out.stdout + out.stderr)[-4000:]
    return out.stdout

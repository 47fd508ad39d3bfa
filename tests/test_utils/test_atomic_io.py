# Copyright (c) mmrsod contributors. All rights reserved.
import os
from pathlib import Path

import pytest
from mmengine.fileio import get_file_backend

import mmrsod  # noqa: F401
from mmrsod.utils.atomic_io import (AtomicLocalBackend, atomic_write_bytes,
                                    current_umask)


def test_local_backend_is_atomic(tmp_path):
    backend = get_file_backend(str(tmp_path / 'x.pth'))
    assert isinstance(backend, AtomicLocalBackend)
    target = tmp_path / 'sub' / 'x.pth'
    backend.put(b'abc', target)
    assert target.read_bytes() == b'abc'
    backend.put_text('héllo', tmp_path / 't.txt')
    assert (tmp_path / 't.txt').read_text(encoding='utf-8') == 'héllo'


def test_failed_write_keeps_old_file(tmp_path, monkeypatch):
    target = tmp_path / 'ckpt.pth'
    target.write_bytes(b'old complete checkpoint')

    real_fsync = os.fsync

    def failing_fsync(fd):
        raise OSError('disk full')

    monkeypatch.setattr(os, 'fsync', failing_fsync)
    with pytest.raises(OSError, match='disk full'):
        atomic_write_bytes(b'new', target)
    monkeypatch.setattr(os, 'fsync', real_fsync)
    assert target.read_bytes() == b'old complete checkpoint'
    assert sorted(p.name for p in tmp_path.iterdir()) == ['ckpt.pth']


@pytest.mark.parametrize('umask', [0o022, 0o077, 0o002])
def test_new_files_respect_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        from mmrsod.utils.atomic_io import current_umask
        assert current_umask() == umask
        target = tmp_path / 'results.pkl'
        atomic_write_bytes(b'x', target)
        plain = tmp_path / 'plain.pkl'
        plain.write_bytes(b'x')
    finally:
        os.umask(old)
    assert (target.stat().st_mode & 0o777) == 0o666 & ~umask
    assert (target.stat().st_mode & 0o777) == (plain.stat().st_mode & 0o777)


def test_replaced_file_keeps_its_mode(tmp_path):
    target = tmp_path / 'epoch_1.pth'
    target.write_bytes(b'old')
    target.chmod(0o640)
    atomic_write_bytes(b'new', target)
    assert target.read_bytes() == b'new'
    assert target.stat().st_mode & 0o777 == 0o640


def test_atomic_output_dir_replaces_or_keeps(tmp_path):
    """A folder written through atomic_output_dir replaces the old one only
    when the block completes; a failure leaves the old one and no
    temporary folder behind."""
    from mmrsod.utils.atomic_io import atomic_output_dir
    out = tmp_path / 'data'
    out.mkdir()
    (out / 'old.txt').write_text('old')
    with pytest.raises(RuntimeError):
        with atomic_output_dir(str(out)) as tmp:
            (Path(tmp) / 'new.txt').write_text('new')
            raise RuntimeError('interrupted')
    assert sorted(p.name for p in tmp_path.iterdir()) == ['data']
    assert sorted(p.name for p in out.iterdir()) == ['old.txt']
    with atomic_output_dir(str(out)) as tmp:
        (Path(tmp) / 'new.txt').write_text('new')
    assert sorted(p.name for p in tmp_path.iterdir()) == ['data']
    assert sorted(p.name for p in out.iterdir()) == ['new.txt']
    mode = out.stat().st_mode & 0o777
    assert mode == 0o777 & ~current_umask()

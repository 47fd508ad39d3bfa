# Copyright (c) mmrsod contributors. All rights reserved.
"""Atomic writes for mmengine's local file backend.

mmengine writes checkpoints with ``LocalBackend.put``, which opens the final
path and writes into it: a crash (or a full disk, or a kill) in the middle
leaves a truncated ``epoch_N.pth``/``iter_N.pth`` behind, and
``last_checkpoint`` may point at it. :class:`AtomicLocalBackend` writes to a
temporary file in the same directory and renames it over the target, so a
reader sees either the old file or the complete new one. The file gets
the permissions a plain ``open(path, 'wb')`` would give it: those of the
file it replaces, or ``0o666`` minus the umask for a new file (``mkstemp``
alone would make every output ``0600``, unreadable to the other users of a
shared machine).
"""
import os
import os.path as osp
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Union

from mmengine.fileio import LocalBackend, register_backend


def current_umask() -> int:
    """Return the process umask without changing it.

    Reads ``/proc/self/status`` (Linux >= 4.7); elsewhere falls back to
    setting and restoring it with :func:`os.umask`.

    Returns:
        int: The umask, e.g. ``0o022``.
    """
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('Umask:'):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write_bytes(data: bytes, filepath: Union[str, Path]) -> None:
    """Write ``data`` to ``filepath`` through a temporary file and a rename.

    The file's mode is that of the file it replaces, or ``0o666`` minus
    the umask (as :func:`open` would create it).

    Args:
        data (bytes): The content.
        filepath (str | Path): The destination; its directory is created.
    """
    filepath = str(filepath)
    directory = osp.dirname(osp.abspath(filepath))
    os.makedirs(directory, exist_ok=True)
    fd, tmp_path = tempfile.mkstemp(
        prefix=f'.{osp.basename(filepath)}.', suffix='.tmp', dir=directory)
    try:
        if osp.exists(filepath):
            mode = os.stat(filepath).st_mode & 0o7777
        else:
            mode = 0o666 & ~current_umask()
        os.fchmod(fd, mode)
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp_path, filepath)
    except BaseException:
        if osp.exists(tmp_path):
            os.remove(tmp_path)
        raise


class AtomicLocalBackend(LocalBackend):
    """mmengine ``LocalBackend`` whose ``put``/``put_text`` are atomic."""

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        """Write bytes atomically (see :func:`atomic_write_bytes`)."""
        atomic_write_bytes(obj, filepath)

    def put_text(self,
                 obj: str,
                 filepath: Union[str, Path],
                 encoding: str = 'utf-8') -> None:
        """Write text atomically (see :func:`atomic_write_bytes`)."""
        atomic_write_bytes(obj.encode(encoding), filepath)


def register_atomic_local_backend() -> None:
    """Register :class:`AtomicLocalBackend` as mmengine's ``local`` backend.

    Idempotent; after it, ``mmengine.fileio.get_file_backend(path)`` for a
    local path (what ``CheckpointHook`` and ``save_checkpoint`` use) returns
    an :class:`AtomicLocalBackend`.
    """
    register_backend('local', AtomicLocalBackend, force=True, prefixes='')


@contextmanager
def atomic_output_dir(out_dir: str) -> Iterator[str]:
    """Fill a folder that appears complete at ``out_dir``, or not at all.

    Yields a temporary folder next to ``out_dir`` (same file system); when
    the block ends without an exception the temporary folder gets the
    permissions ``os.makedirs`` would give and replaces ``out_dir`` (an
    existing one is moved aside first and then deleted); on an exception it
    is deleted and ``out_dir`` is left as it was.

    Args:
        out_dir (str): The final folder (its parent must exist).

    Yields:
        str: The temporary folder to write into.
    """
    out_dir = osp.abspath(out_dir)
    parent = osp.dirname(out_dir)
    tmp = tempfile.mkdtemp(prefix=f'.{osp.basename(out_dir)}.tmp-', dir=parent)
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~current_umask())  # mkdtemp gives 0700
        if osp.exists(out_dir):
            old = tempfile.mkdtemp(
                prefix=f'.{osp.basename(out_dir)}.old-', dir=parent)
            os.rename(out_dir, osp.join(old, 'data'))
            os.rename(tmp, out_dir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


__all__ = [
    'AtomicLocalBackend', 'atomic_output_dir', 'atomic_write_bytes',
    'current_umask', 'register_atomic_local_backend'
]

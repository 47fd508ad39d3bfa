# Copyright (c) mmrsod contributors. All rights reserved.
"""Atomic writes for mmengine's local file backend.

mmengine writes checkpoints with ``LocalBackend.put``, which opens the final
path and writes into it: a crash (or a full disk, or a kill) in the middle
leaves a truncated ``epoch_N.pth``/``iter_N.pth`` behind, and
``last_checkpoint`` may point at it. :class:`AtomicLocalBackend` writes to a
temporary file in the same directory and renames it over the target, so a
reader sees either the old file or the complete new one.
"""
import os
import os.path as osp
import tempfile
from pathlib import Path
from typing import Union

from mmengine.fileio import LocalBackend, register_backend


def atomic_write_bytes(data: bytes, filepath: Union[str, Path]) -> None:
    """Write ``data`` to ``filepath`` through a temporary file and a rename.

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


__all__ = ['AtomicLocalBackend', 'atomic_write_bytes',
           'register_atomic_local_backend']

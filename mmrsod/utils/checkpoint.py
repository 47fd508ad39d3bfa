# Copyright (c) mmrsod contributors. All rights reserved.
"""Checkpoint loading that works on torch >= 2.6.

torch 2.6 changed the default of ``torch.load`` to ``weights_only=True``.
mmengine 0.10.7 calls ``torch.load`` without the argument, so every full
mmengine checkpoint (whose ``message_hub`` holds
:class:`~mmengine.logging.HistoryBuffer` objects and numpy arrays) fails to
load with an ``UnpicklingError``: ``resume``, ``load_from`` and any teacher
checkpoint are broken.

mmrsod keeps torch's safe loader and extends its allow-list with exactly the
classes mmengine writes (:func:`safe_checkpoint_globals`). When a checkpoint
still holds something outside that list, the error names the file and the
class; a user who trusts the file can then set ``MMRSOD_TRUST_CHECKPOINTS=1``
to load it with ``weights_only=False``.
"""
import os
import os.path as osp
import pickle
from typing import Any, List, Optional

import numpy as np
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader

TRUST_ENV = 'MMRSOD_TRUST_CHECKPOINTS'

_NUMPY_DTYPE_NAMES = ('bool', 'int8', 'int16', 'int32', 'int64', 'uint8',
                      'uint16', 'uint32', 'uint64', 'float16', 'float32',
                      'float64', 'complex64', 'complex128', 'str', 'bytes',
                      'object')


def _numpy_core():
    """Return numpy's ``multiarray`` module under its numpy 1/2 name."""
    core = getattr(np, '_core', None) or getattr(np, 'core')
    return core.multiarray


def safe_checkpoint_globals() -> List[Any]:
    """The classes and functions an mmengine checkpoint is allowed to hold.

    ``builtins.getattr`` is needed because ``HistoryBuffer`` pickles its
    statistics methods as ``getattr(HistoryBuffer, 'mean')``. It only lets
    the unpickler fetch attributes of objects that are already allowed;
    torch's safe unpickler still refuses to call anything outside this list.

    Returns:
        list: ``HistoryBuffer``, ``getattr``, numpy's array/scalar
        reconstructors and numpy's dtype classes; everything else
        (``OrderedDict``, tensors, builtin containers) is already allowed by
        torch.
    """
    multiarray = _numpy_core()
    allowed: List[Any] = [
        HistoryBuffer, getattr, multiarray._reconstruct, multiarray.scalar,
        np.ndarray, np.dtype
    ]
    for name in _NUMPY_DTYPE_NAMES:
        allowed.append(type(np.dtype(name)))
    return allowed


def trusted_torch_load(filename: Any, map_location: Optional[Any] = None):
    """``torch.load`` with mmengine's classes allowed and a clear error.

    Args:
        filename (str | file-like): What to load.
        map_location: Same as :func:`torch.load`.

    Returns:
        The unpickled object.

    Raises:
        RuntimeError: if the file holds a class outside the allow-list and
            ``MMRSOD_TRUST_CHECKPOINTS`` is not set to ``1``.
    """
    if os.environ.get(TRUST_ENV, '0') == '1':
        return torch.load(
            filename, map_location=map_location, weights_only=False)
    try:
        with torch.serialization.safe_globals(safe_checkpoint_globals()):
            return torch.load(
                filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        first_line = str(err).strip().splitlines()[0] if str(err) else ''
        raise RuntimeError(
            f'Cannot load checkpoint {filename!r} safely: {first_line} '
            f'If you trust this file, set {TRUST_ENV}=1 to load it with '
            'torch.load(weights_only=False).') from None


def _load_from_local(filename: str, map_location: Optional[Any] = None):
    """Loader for local paths (``load_from``, ``resume``, teachers)."""
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint not found: {filename}')
    return trusted_torch_load(filename, map_location=map_location)


def register_checkpoint_loaders() -> None:
    """Make mmengine's local checkpoint loader torch >= 2.6 safe.

    Registers :func:`safe_checkpoint_globals` with torch (so any
    ``torch.load`` of an mmengine checkpoint in the process, including
    mmengine's http/model-zoo loaders, succeeds) and replaces mmengine's
    loader for local paths by :func:`_load_from_local`, which names the file
    on failure. Idempotent.
    """
    torch.serialization.add_safe_globals(safe_checkpoint_globals())
    CheckpointLoader.register_scheme(
        prefixes='', loader=_load_from_local, force=True)


__all__ = [
    'TRUST_ENV', 'register_checkpoint_loaders', 'safe_checkpoint_globals',
    'trusted_torch_load'
]

# Copyright (c) mmrsod contributors. All rights reserved.
import pickle

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader, _load_checkpoint

import mmrsod  # noqa: F401
from mmrsod.utils.checkpoint import TRUST_ENV, trusted_torch_load


class _Unlisted:
    """A class that is not on the allow-list."""

    def __init__(self):
        self.value = 3


def _mmengine_like_checkpoint():
    buffer = HistoryBuffer()
    buffer.update(0.5)
    buffer.update(np.float64(0.25))
    return {
        'meta': {
            'iter': 7,
            'seed': np.int64(3),
            'lr': np.float32(0.1),
            'hist': np.arange(5, dtype=np.float64),
        },
        'state_dict': {
            'w': torch.ones(2)
        },
        'message_hub': {
            'log_scalars': {
                'train/loss': buffer
            }
        },
    }


def test_plain_torch_load_needs_the_fix(tmp_path):
    """The trap exists: torch's safe loader alone rejects HistoryBuffer."""
    path = tmp_path / 'ckpt.pth'
    torch.save(_mmengine_like_checkpoint(), path)
    with pytest.raises(pickle.UnpicklingError):
        _raw_weights_only(path)


def _raw_weights_only(path):
    """torch.load with weights_only=True and no extra allowed globals."""
    saved = torch.serialization.get_safe_globals()
    torch.serialization.clear_safe_globals()
    try:
        return torch.load(path, weights_only=True)
    finally:
        torch.serialization.add_safe_globals(saved)


def test_mmengine_checkpoint_loads_through_mmengine(tmp_path):
    path = tmp_path / 'ckpt.pth'
    torch.save(_mmengine_like_checkpoint(), path)
    ckpt = _load_checkpoint(str(path), map_location='cpu')
    assert ckpt['meta']['iter'] == 7
    np.testing.assert_array_equal(ckpt['meta']['hist'], np.arange(5))
    hub = ckpt['message_hub']['log_scalars']['train/loss']
    assert hub.current() == pytest.approx(0.25)
    assert CheckpointLoader._schemes[
        ''].__module__ == 'mmrsod.utils.checkpoint'


def test_unlisted_class_gives_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv(TRUST_ENV, raising=False)
    path = tmp_path / 'evil.pth'
    torch.save({'x': _Unlisted()}, path)
    with pytest.raises(RuntimeError) as err:
        _load_checkpoint(str(path), map_location='cpu')
    assert str(path) in str(err.value)
    assert TRUST_ENV in str(err.value)
    monkeypatch.setenv(TRUST_ENV, '1')
    assert trusted_torch_load(str(path))['x'].value == 3


def test_missing_checkpoint_names_file(tmp_path):
    missing = tmp_path / 'nope.pth'
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        _load_checkpoint(str(missing))

# Copyright (c) mmrsod contributors. All rights reserved.
"""Helpers of the converter tests."""
from pathlib import Path

import pytest

from mmrsod.testing import load_script

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def load_tool():
    """``load_tool('nwpu_vhr10')`` imports tools/dataset_converters/<name>.py
    as a module, so its ``main(argv)`` runs in this process."""

    def load(name: str):
        path = REPO / 'tools' / 'dataset_converters' / f'{name}.py'
        return load_script(path, f'converter_tool_{name}')

    return load

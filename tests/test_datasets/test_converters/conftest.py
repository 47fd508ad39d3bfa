# Copyright (c) mmrsod contributors. All rights reserved.
"""Helpers of the converter tests."""
import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def load_tool():
    """``load_tool('nwpu_vhr10')`` imports tools/dataset_converters/<name>.py
    as a module, so its ``main(argv)`` runs in this process."""

    def load(name: str):
        path = REPO / 'tools' / 'dataset_converters' / f'{name}.py'
        spec = importlib.util.spec_from_file_location(f'converter_tool_{name}',
                                                      path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load

# Copyright (c) mmrsod contributors. All rights reserved.
"""Fixtures for every test."""
import copy

import pytest
from mmengine.registry import DefaultScope


@pytest.fixture(autouse=True)
def restore_default_scope():
    """Give each test the mmengine default scope it started with.

    Tools called in-process (``main(argv)``) and integration tests call
    ``init_default_scope('mmdet')``, which would otherwise stay current for
    the tests that run after them (an SOD test then looks up its mmseg
    modules in mmdet's registry).
    """
    saved = copy.deepcopy(DefaultScope._instance_dict)
    yield
    DefaultScope._instance_dict = saved

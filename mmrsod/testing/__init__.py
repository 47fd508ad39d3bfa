# Copyright (c) mmrsod contributors. All rights reserved.
"""Test and demo helpers (like ``mmdet.testing``), not part of the models."""
from .demo_data import generate_demo_dataset, make_demo_sample

__all__ = ['generate_demo_dataset', 'make_demo_sample']

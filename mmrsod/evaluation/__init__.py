# Copyright (c) mmrsod contributors. All rights reserved.
"""Evaluation: metrics registered in ``mmseg.registry.METRICS`` and the
functional saliency statistics they (and ``eval_saliency.py``) share."""
from . import functional
from .metrics import SODMetric, SRMetric

__all__ = ['SODMetric', 'SRMetric', 'functional']

# Copyright (c) mmrsod contributors. All rights reserved.
"""Evaluation: SOD/SR metrics registered in ``mmseg.registry.METRICS``, the
detection metric in ``mmdet.registry.METRICS``, and the functional saliency
statistics (shared with ``eval_saliency.py``)."""
from . import functional
from .metrics import CocoPRCurveMetric, SODMetric, SRMetric

__all__ = ['SODMetric', 'SRMetric', 'CocoPRCurveMetric', 'functional']

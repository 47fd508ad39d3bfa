# Copyright (c) mmrsod contributors. All rights reserved.
from .coco_pr_curve_metric import CocoPRCurveMetric
from .sod_metric import SODMetric
from .sr_metric import SRMetric

__all__ = ['SODMetric', 'SRMetric', 'CocoPRCurveMetric']

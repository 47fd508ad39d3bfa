# Copyright (c) mmrsod contributors. All rights reserved.
from .sod_metric import SODMetric
from .sr_metric import SRMetric

__all__ = ['SODMetric', 'SRMetric']

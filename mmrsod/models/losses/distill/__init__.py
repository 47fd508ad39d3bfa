# Copyright (c) mmrsod contributors. All rights reserved.
"""Distillation losses for :class:`~mmrsod.models.DistillationDetector`
(called with a :class:`~mmrsod.models.detectors.DistillContext`)."""
from .attention_transfer_loss import ATLoss, attention_map
from .fitnet_loss import FitNetLoss

__all__ = ['FitNetLoss', 'ATLoss', 'attention_map']

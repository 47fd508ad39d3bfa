# Copyright (c) mmrsod contributors. All rights reserved.
"""Distillation losses for :class:`~mmrsod.models.DistillationDetector`
(called with a :class:`~mmrsod.models.detectors.DistillContext`)."""
from .attention_transfer_loss import ATLoss, attention_map
from .fgd_loss import FGDContextBlock, FGDLoss, fgd_attention, fgd_box_masks
from .fitnet_loss import FitNetLoss
from .frs_loss import FRSLoss

__all__ = [
    'FitNetLoss', 'ATLoss', 'attention_map', 'FGDLoss', 'FGDContextBlock',
    'fgd_box_masks', 'fgd_attention', 'FRSLoss'
]

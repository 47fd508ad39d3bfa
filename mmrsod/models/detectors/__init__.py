# Copyright (c) mmrsod contributors. All rights reserved.
"""Detectors, registered into ``mmdet.registry.MODELS``."""
from .cascade_rcnn_sr import CascadeRCNNSR
from .distillation_detector import DistillationDetector, DistillContext
from .rs_dino import RSDINO, num_encoder_tokens
from .sdconet import SDCoNet
from .sr_branch_mixin import SRBranchMixin

__all__ = [
    'DistillationDetector', 'DistillContext', 'RSDINO', 'num_encoder_tokens',
    'SRBranchMixin', 'CascadeRCNNSR', 'SDCoNet'
]

# Copyright (c) mmrsod contributors. All rights reserved.
"""Detectors, registered into ``mmdet.registry.MODELS``."""
from .cascade_rcnn_sr import CascadeRCNNSR
from .rs_dino import RSDINO, num_encoder_tokens
from .sdconet import SDCoNet
from .sr_branch_mixin import SRBranchMixin

__all__ = [
    'RSDINO', 'num_encoder_tokens', 'SRBranchMixin', 'CascadeRCNNSR', 'SDCoNet'
]

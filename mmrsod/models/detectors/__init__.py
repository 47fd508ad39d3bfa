# Copyright (c) mmrsod contributors. All rights reserved.
"""Detectors, registered into ``mmdet.registry.MODELS``."""
from .rs_dino import RSDINO, num_encoder_tokens

__all__ = ['RSDINO', 'num_encoder_tokens']

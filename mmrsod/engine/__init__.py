# Copyright (c) mmrsod contributors. All rights reserved.
from .hooks import (DistillWarmupHook, GradientRoutingHook, SRLossWarmupHook,
                    SyncNormBuffersHook)

__all__ = [
    'DistillWarmupHook', 'GradientRoutingHook', 'SRLossWarmupHook',
    'SyncNormBuffersHook'
]

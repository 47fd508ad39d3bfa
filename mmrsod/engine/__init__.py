# Copyright (c) mmrsod contributors. All rights reserved.
from .hooks import GradientRoutingHook, SRLossWarmupHook, SyncNormBuffersHook

__all__ = ['GradientRoutingHook', 'SRLossWarmupHook', 'SyncNormBuffersHook']

# Copyright (c) mmrsod contributors. All rights reserved.
from .hooks import SRLossWarmupHook, SyncNormBuffersHook

__all__ = ['SRLossWarmupHook', 'SyncNormBuffersHook']

# Copyright (c) mmrsod contributors. All rights reserved.
from .distill_warmup_hook import DistillWarmupHook
from .gradient_routing_hook import GradientRoutingHook
from .sr_loss_warmup_hook import SRLossWarmupHook
from .sync_norm_buffers_hook import SyncNormBuffersHook

__all__ = [
    'DistillWarmupHook', 'GradientRoutingHook', 'SRLossWarmupHook',
    'SyncNormBuffersHook'
]

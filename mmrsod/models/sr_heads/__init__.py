# Copyright (c) mmrsod contributors. All rights reserved.
"""Super-resolution heads, registered into ``mmdet.registry.MODELS``."""
from .patch_expanding import PatchExpanding
from .swin_unet_sr_head import SwinUNetSRHead

__all__ = ['PatchExpanding', 'SwinUNetSRHead']

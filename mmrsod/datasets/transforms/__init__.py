# Copyright (c) mmrsod contributors. All rights reserved.
from .downsample_to_lr import DownsampleToLR
from .generate_lr_input import GenerateLRInput, bgr_to_ycbcr
from .load_sod_annotations import LoadSODAnnotations, decode_sod_mask
from .pack_det_sr_inputs import PackDetSRInputs
from .pack_sod_inputs import PackSODInputs
from .random_flip_rotate import RandomFlipRotate
from .sod_resize import SODResize, resize_array

__all__ = [
    'LoadSODAnnotations', 'SODResize', 'RandomFlipRotate', 'GenerateLRInput',
    'PackSODInputs', 'bgr_to_ycbcr', 'decode_sod_mask', 'resize_array',
    'DownsampleToLR', 'PackDetSRInputs'
]

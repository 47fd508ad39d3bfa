# Copyright (c) mmrsod contributors. All rights reserved.
from .color_space import rgb_to_ycbcr, ycbcr_to_rgb
from .edsr_block import EDSRBlock
from .sample_utils import stack_gt_sem_seg, stack_gt_sr

__all__ = [
    'EDSRBlock', 'rgb_to_ycbcr', 'ycbcr_to_rgb', 'stack_gt_sem_seg',
    'stack_gt_sr'
]

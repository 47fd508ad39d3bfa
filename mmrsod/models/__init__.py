# Copyright (c) mmrsod contributors. All rights reserved.
"""mmrsod models: SOD ones registered into ``mmseg.registry.MODELS``,
detectors into ``mmdet.registry.MODELS``."""
from .backbones import SODResNet
from .decode_heads import ASRDHead, TSDDHead
from .detectors import RSDINO, num_encoder_tokens
from .losses import StructureLoss, TFGMLoss
from .necks import PPMNeck
from .segmentors import SRALSegmentor
from .utils import (EDSRBlock, rgb_to_ycbcr, stack_gt_sem_seg, stack_gt_sr,
                    ycbcr_to_rgb)

__all__ = [
    'SODResNet', 'PPMNeck', 'TSDDHead', 'ASRDHead', 'StructureLoss',
    'TFGMLoss', 'SRALSegmentor', 'RSDINO', 'num_encoder_tokens', 'EDSRBlock',
    'rgb_to_ycbcr', 'ycbcr_to_rgb', 'stack_gt_sem_seg', 'stack_gt_sr'
]

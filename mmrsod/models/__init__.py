# Copyright (c) mmrsod contributors. All rights reserved.
"""mmrsod models: SOD modules in ``mmseg.registry.MODELS``, detection ones
in ``mmdet.registry.MODELS``, shared building blocks in mmengine's root
``MODELS`` (reachable from both scopes)."""
from .backbones import SODResNet
from .data_preprocessors import DetSRDataPreprocessor
from .decode_heads import ASRDHead, TSDDHead
from .detectors import (RSDINO, CascadeRCNNSR, DistillationDetector, SDCoNet,
                        SRBranchMixin, num_encoder_tokens)
from .layers import (BackgroundEmbedding, SaliencyFilteredEncoder,
                     SaliencyScoreHead, SelectiveDeformableEncoderLayer)
from .losses import ATLoss, FitNetLoss, StructureLoss, TFGMLoss
from .necks import PPMNeck
from .segmentors import SRALSegmentor
from .sr_heads import PatchExpanding, SwinUNetSRHead
from .utils import (EDSRBlock, rgb_to_ycbcr, stack_gt_sem_seg, stack_gt_sr,
                    ycbcr_to_rgb)

__all__ = [
    'SODResNet', 'PPMNeck', 'TSDDHead', 'ASRDHead', 'StructureLoss',
    'TFGMLoss', 'SRALSegmentor', 'RSDINO', 'num_encoder_tokens', 'EDSRBlock',
    'rgb_to_ycbcr', 'ycbcr_to_rgb', 'stack_gt_sem_seg', 'stack_gt_sr',
    'DetSRDataPreprocessor', 'BackgroundEmbedding', 'SaliencyFilteredEncoder',
    'SelectiveDeformableEncoderLayer', 'SaliencyScoreHead', 'CascadeRCNNSR',
    'SRBranchMixin', 'SwinUNetSRHead', 'PatchExpanding', 'SDCoNet',
    'DistillationDetector', 'FitNetLoss', 'ATLoss'
]

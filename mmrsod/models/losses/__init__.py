# Copyright (c) mmrsod contributors. All rights reserved.
from .distill import ATLoss, FGDLoss, FitNetLoss, FRSLoss, attention_map
from .ifkd import (FrequencyDomainReconstruction, HyperbolicSimilarityMask,
                   IFKDFeatureLoss, IFKDHeadLoss, IFKDLoss, frs_richness_mask,
                   hyperbolic_similarity_mask, raw_rgb_images)
from .structure_loss import StructureLoss
from .tfgm_loss import TFGMLoss

__all__ = [
    'StructureLoss', 'TFGMLoss', 'FitNetLoss', 'ATLoss', 'attention_map',
    'FGDLoss', 'FRSLoss', 'FrequencyDomainReconstruction',
    'HyperbolicSimilarityMask', 'IFKDFeatureLoss', 'IFKDHeadLoss', 'IFKDLoss',
    'frs_richness_mask', 'hyperbolic_similarity_mask', 'raw_rgb_images'
]

# Copyright (c) mmrsod contributors. All rights reserved.
from .ifkd import (FrequencyDomainReconstruction, HyperbolicSimilarityMask,
                   frs_richness_mask, hyperbolic_similarity_mask)
from .structure_loss import StructureLoss
from .tfgm_loss import TFGMLoss

__all__ = [
    'StructureLoss', 'TFGMLoss', 'FrequencyDomainReconstruction',
    'HyperbolicSimilarityMask', 'frs_richness_mask',
    'hyperbolic_similarity_mask'
]

# Copyright (c) mmrsod contributors. All rights reserved.
"""IFKD (Zhang and Yang, ACM MM 2024): FDR, HSM and the distillation
losses, registered in ``mmdet.registry.MODELS``."""
from .frequency_domain_reconstruction import (FrequencyDomainReconstruction,
                                              filter_grid, low_freq_mask)
from .frs_richness_mask import frs_richness_mask
from .hyperbolic import (HyperbolicSimilarityMask, expmap0,
                         hyperbolic_similarity_mask, mobius_add,
                         poincare_distance, project)
from .ifkd_feature_loss import IFKDFeatureLoss, masked_location_mean
from .ifkd_head_loss import IFKDHeadLoss
from .ifkd_loss import IFKDLoss, raw_rgb_images

__all__ = [
    'FrequencyDomainReconstruction', 'filter_grid', 'low_freq_mask',
    'frs_richness_mask', 'HyperbolicSimilarityMask', 'expmap0',
    'hyperbolic_similarity_mask', 'mobius_add', 'poincare_distance', 'project',
    'IFKDFeatureLoss', 'masked_location_mean', 'IFKDHeadLoss', 'IFKDLoss',
    'raw_rgb_images'
]

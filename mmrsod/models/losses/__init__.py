# Copyright (c) mmrsod contributors. All rights reserved.
from .ifkd import FrequencyDomainReconstruction, frs_richness_mask
from .structure_loss import StructureLoss
from .tfgm_loss import TFGMLoss

__all__ = [
    'StructureLoss', 'TFGMLoss', 'FrequencyDomainReconstruction',
    'frs_richness_mask'
]

# Copyright (c) mmrsod contributors. All rights reserved.
from .nwpu_vhr10 import NWPUVHR10Dataset
from .sod_dataset import SOD_LAYOUTS, SODDataError, SODDataset
from .transforms import (GenerateLRInput, LoadSODAnnotations, PackSODInputs,
                         RandomFlipRotate, SODResize)

__all__ = [
    'NWPUVHR10Dataset', 'SODDataset', 'SODDataError', 'SOD_LAYOUTS',
    'LoadSODAnnotations', 'SODResize', 'RandomFlipRotate', 'GenerateLRInput',
    'PackSODInputs'
]

# Copyright (c) mmrsod contributors. All rights reserved.
from .nwpu_vhr10 import NWPUVHR10Dataset
from .sod_dataset import SOD_LAYOUTS, SODDataError, SODDataset
from .transforms import (DownsampleToLR, GenerateLRInput, LoadSODAnnotations,
                         PackDetSRInputs, PackSODInputs, RandomFlipRotate,
                         SODResize)

__all__ = [
    'NWPUVHR10Dataset', 'SODDataset', 'SODDataError', 'SOD_LAYOUTS',
    'LoadSODAnnotations', 'SODResize', 'RandomFlipRotate', 'GenerateLRInput',
    'PackSODInputs', 'DownsampleToLR', 'PackDetSRInputs'
]

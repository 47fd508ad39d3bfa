# Copyright (c) mmrsod contributors. All rights reserved.
from .sod_dataset import SOD_LAYOUTS, SODDataError, SODDataset
from .transforms import (GenerateLRInput, LoadSODAnnotations, PackSODInputs,
                         RandomFlipRotate, SODResize)

__all__ = [
    'SODDataset', 'SODDataError', 'SOD_LAYOUTS', 'LoadSODAnnotations',
    'SODResize', 'RandomFlipRotate', 'GenerateLRInput', 'PackSODInputs'
]

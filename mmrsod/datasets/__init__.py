# Copyright (c) mmrsod contributors. All rights reserved.
from .dota import DOTADataset, DOTAv15Dataset
from .hrrsd import HRRSDDataset
from .nwpu_vhr10 import NWPUVHR10Dataset
from .sar_aircraft import SARAircraftDataset
from .shiprsimagenet import (ShipRSImageNetDataset,
                             ShipRSImageNetLevel0Dataset,
                             ShipRSImageNetLevel1Dataset,
                             ShipRSImageNetLevel2Dataset)
from .sod_dataset import SOD_LAYOUTS, SODDataError, SODDataset
from .transforms import (DownsampleToLR, GenerateLRInput, LoadSODAnnotations,
                         PackDetSRInputs, PackSODInputs, RandomFlipRotate,
                         SODResize)

__all__ = [
    'NWPUVHR10Dataset', 'DOTADataset', 'DOTAv15Dataset', 'HRRSDDataset',
    'SARAircraftDataset', 'ShipRSImageNetDataset',
    'ShipRSImageNetLevel0Dataset', 'ShipRSImageNetLevel1Dataset',
    'ShipRSImageNetLevel2Dataset', 'SODDataset', 'SODDataError', 'SOD_LAYOUTS',
    'LoadSODAnnotations', 'SODResize', 'RandomFlipRotate', 'GenerateLRInput',
    'PackSODInputs', 'DownsampleToLR', 'PackDetSRInputs'
]

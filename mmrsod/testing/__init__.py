# Copyright (c) mmrsod contributors. All rights reserved.
"""Test and demo helpers (like ``mmdet.testing``), not part of the models."""
from .demo_data import generate_demo_dataset, make_demo_sample
from .det_demo_data import (DET_DEMO_CLASSES, generate_det_demo,
                            make_det_demo_sample)
from .det_layouts import (DOTA_VARIANTS, NWPU_VARIANTS, VOC_CLASSES,
                          VOC_VARIANTS, make_dota, make_nwpu_vhr10,
                          make_shiprs_coco, make_voc, write_image)
from .scripts import load_script
from .tiny_models import tiny_tiny_vit_cfg

__all__ = [
    'generate_demo_dataset', 'make_demo_sample', 'DET_DEMO_CLASSES',
    'generate_det_demo', 'make_det_demo_sample', 'DOTA_VARIANTS',
    'NWPU_VARIANTS', 'VOC_CLASSES', 'VOC_VARIANTS', 'make_dota',
    'make_nwpu_vhr10', 'make_shiprs_coco', 'make_voc', 'write_image',
    'tiny_tiny_vit_cfg', 'load_script'
]

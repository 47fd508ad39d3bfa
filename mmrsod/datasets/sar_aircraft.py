# Copyright (c) mmrsod contributors. All rights reserved.
"""SAR-AIRcraft-1.0 in COCO format (as written by
``tools/dataset_converters/sar_aircraft.py``)."""
from mmdet.datasets import CocoDataset
from mmdet.registry import DATASETS

from .class_palette import distinct_palette

__all__ = ['SARAircraftDataset']

_SAR_AIRCRAFT_CLASSES = ('A220', 'A320/321', 'A330', 'ARJ21', 'Boeing737',
                         'Boeing787', 'other')


@DATASETS.register_module()
class SARAircraftDataset(CocoDataset):
    """SAR-AIRcraft-1.0 (Wang et al., Journal of Radars 2023): 7 classes of
    aircraft in Gaofen-3 SAR images, named as in the VOC ``<name>`` tags."""

    METAINFO = {
        'classes': _SAR_AIRCRAFT_CLASSES,
        'palette': distinct_palette(len(_SAR_AIRCRAFT_CLASSES))
    }

# Copyright (c) mmrsod contributors. All rights reserved.
"""DOTA v1.0 / v1.5 as horizontal boxes in COCO format (as written by
``tools/dataset_converters/dota.py``)."""
from mmdet.datasets import CocoDataset
from mmdet.registry import DATASETS

from .class_palette import distinct_palette

__all__ = ['DOTADataset', 'DOTAv15Dataset']

_DOTA_V10_CLASSES = ('plane', 'baseball-diamond', 'bridge',
                     'ground-track-field', 'small-vehicle', 'large-vehicle',
                     'ship', 'tennis-court', 'basketball-court',
                     'storage-tank', 'soccer-ball-field', 'roundabout',
                     'harbor', 'swimming-pool', 'helicopter')


@DATASETS.register_module()
class DOTADataset(CocoDataset):
    """DOTA v1.0 (Xia et al., CVPR 2018): 15 classes, horizontal boxes.

    Class names and order are those of the DOTA devkit (the names written
    in ``labelTxt``). The converter keeps each polygon's bounding rectangle
    and marks ``difficult`` objects ``iscrowd=1`` (ignored) by default.
    """

    METAINFO = {
        'classes': _DOTA_V10_CLASSES,
        'palette': distinct_palette(len(_DOTA_V10_CLASSES))
    }


@DATASETS.register_module()
class DOTAv15Dataset(CocoDataset):
    """DOTA v1.5: the 15 v1.0 classes plus ``container-crane`` (16)."""

    METAINFO = {
        'classes': _DOTA_V10_CLASSES + ('container-crane', ),
        'palette': distinct_palette(len(_DOTA_V10_CLASSES) + 1)
    }

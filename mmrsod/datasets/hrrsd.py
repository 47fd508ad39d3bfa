# Copyright (c) mmrsod contributors. All rights reserved.
"""TGRS-HRRSD in COCO format (as written by
``tools/dataset_converters/hrrsd.py``)."""
from mmdet.datasets import CocoDataset
from mmdet.registry import DATASETS

from .class_palette import distinct_palette

__all__ = ['HRRSDDataset']

_HRRSD_CLASSES = ('ship', 'bridge', 'ground track field', 'storage tank',
                  'basketball court', 'tennis court', 'airplane',
                  'baseball diamond', 'harbor', 'vehicle', 'crossroad',
                  'T junction', 'parking lot')


@DATASETS.register_module()
class HRRSDDataset(CocoDataset):
    """HRRSD (Zhang et al., TGRS 2019): 13 classes of optical VHR objects.

    Names and order (labels 1..13) are those of the release's README
    (github.com/CrazyStoneonRoad/TGRS-HRRSD-Dataset), as written in the
    VOC ``<name>`` tags, spaces included (``'T junction'``).
    """

    METAINFO = {
        'classes': _HRRSD_CLASSES,
        'palette': distinct_palette(len(_HRRSD_CLASSES))
    }

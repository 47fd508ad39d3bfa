# Copyright (c) mmrsod contributors. All rights reserved.
"""NWPU VHR-10 in COCO format (as written by
``tools/dataset_converters/nwpu_vhr10.py``)."""
from mmdet.datasets import CocoDataset
from mmdet.registry import DATASETS

__all__ = ['NWPUVHR10Dataset']


@DATASETS.register_module()
class NWPUVHR10Dataset(CocoDataset):
    """NWPU VHR-10 (Cheng et al., 2014): 10 classes of optical VHR objects.

    The class order is the official one (ids 1..10 of the release's
    ``readme.txt``); the converter writes COCO category ``i`` for class
    ``i`` and these names, which mmdet's :class:`CocoDataset` matches by
    name. Everything else (filtering, ``data_prefix``) is ``CocoDataset``'s.
    """

    METAINFO = {
        'classes': ('airplane', 'ship', 'storage tank', 'baseball diamond',
                    'tennis court', 'basketball court', 'ground track field',
                    'harbor', 'bridge', 'vehicle'),
        'palette': [(220, 20, 60), (0, 0, 230), (255, 179, 240), (0, 125, 92),
                    (250, 170, 30), (165, 42, 42), (0, 226, 252),
                    (182, 182, 255), (120, 166, 157), (255, 255, 0)]
    }

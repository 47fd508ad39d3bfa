# Copyright (c) mmrsod contributors. All rights reserved.
"""ShipRSImageNet in COCO format at one of its four class levels (as
written by ``tools/dataset_converters/shiprsimagenet.py --level L``).

Class lists, in the official order (category ``i + 1`` is class ``i``):

* level 3 (50 types): the ``wordname_50`` list of the official devkit
  (github.com/zzndream/ShipRSImageNet_devkit, ``ShipRSImageNet2COCO.py``)
  and of the README of github.com/zzndream/ShipRSImageNet;
* levels 0, 1, 2 (2, 4 and 25 classes): the ``CLASSES`` of the official
  mmdetection 2.11 benchmark code (``mmdet/datasets/ShipRSImageNet_Level
  {0,1,2}.py`` of github.com/zzndream/ShipRSImageNet).

The hierarchy (:data:`SHIPRS_PARENT`) follows the category tree of the
README: the level-3 list is grouped in level-2 order (e.g. ``Enterprise``
-> ``Aircraft Carrier``), level-2 warship kinds -> ``Warship``, civil kinds
-> ``Merchant``, and everything but ``Dock`` -> ``Ship`` at level 0. The
VOC release stores each object's ids at all four levels (``<level_0>`` ..
``<level_3>``); the converter uses those tags and falls back to this table
only when a tag is missing.
"""
from typing import Dict, Tuple

from mmdet.datasets import CocoDataset
from mmdet.registry import DATASETS

from .class_palette import distinct_palette

__all__ = [
    'ShipRSImageNetDataset', 'ShipRSImageNetLevel0Dataset',
    'ShipRSImageNetLevel1Dataset', 'ShipRSImageNetLevel2Dataset',
    'SHIPRS_LEVEL_CLASSES', 'SHIPRS_PARENT', 'shiprs_map_level3'
]

_LEVEL3 = ('Other Ship', 'Other Warship', 'Submarine',
           'Other Aircraft Carrier', 'Enterprise', 'Nimitz', 'Midway',
           'Ticonderoga', 'Other Destroyer', 'Atago DD', 'Arleigh Burke DD',
           'Hatsuyuki DD', 'Hyuga DD', 'Asagiri DD', 'Other Frigate',
           'Perry FF', 'Patrol', 'Other Landing', 'YuTing LL', 'YuDeng LL',
           'YuDao LL', 'YuZhao LL', 'Austin LL', 'Osumi LL', 'Wasp LL',
           'LSD 41 LL', 'LHA LL', 'Commander', 'Other Auxiliary Ship',
           'Medical Ship', 'Test Ship', 'Training Ship', 'AOE', 'Masyuu AS',
           'Sanantonio AS', 'EPF', 'Other Merchant', 'Container Ship', 'RoRo',
           'Cargo', 'Barge', 'Tugboat', 'Ferry', 'Yacht', 'Sailboat',
           'Fishing Vessel', 'Oil Tanker', 'Hovercraft', 'Motorboat', 'Dock')
_LEVEL2 = ('Other Ship', 'Other Warship', 'Submarine', 'Aircraft Carrier',
           'Cruiser', 'Destroyer', 'Frigate', 'Patrol', 'Landing', 'Commander',
           'Auxiliary Ships', 'Other Merchant', 'Container Ship', 'RoRo',
           'Cargo', 'Barge', 'Tugboat', 'Ferry', 'Yacht', 'Sailboat',
           'Fishing Vessel', 'Oil Tanker', 'Hovercraft', 'Motorboat', 'Dock')
_LEVEL1 = ('Other Ship', 'Warship', 'Merchant', 'Dock')
_LEVEL0 = ('Ship', 'Dock')

SHIPRS_LEVEL_CLASSES: Dict[int, Tuple[str, ...]] = {
    0: _LEVEL0,
    1: _LEVEL1,
    2: _LEVEL2,
    3: _LEVEL3
}


def _level3_parents() -> Dict[str, str]:
    groups = {
        'Aircraft Carrier':
        ('Other Aircraft Carrier', 'Enterprise', 'Nimitz', 'Midway'),
        'Cruiser': ('Ticonderoga', ),
        'Destroyer': ('Other Destroyer', 'Atago DD', 'Arleigh Burke DD',
                      'Hatsuyuki DD', 'Hyuga DD', 'Asagiri DD'),
        'Frigate': ('Other Frigate', 'Perry FF'),
        'Landing':
        ('Other Landing', 'YuTing LL', 'YuDeng LL', 'YuDao LL', 'YuZhao LL',
         'Austin LL', 'Osumi LL', 'Wasp LL', 'LSD 41 LL', 'LHA LL'),
        'Auxiliary Ships':
        ('Other Auxiliary Ship', 'Medical Ship', 'Test Ship', 'Training Ship',
         'AOE', 'Masyuu AS', 'Sanantonio AS', 'EPF'),
    }
    parents = {
        child: parent
        for parent, kids in groups.items() for child in kids
    }
    for name in _LEVEL3:
        parents.setdefault(name, name)  # same name one level up
    return parents


#: ``SHIPRS_PARENT[level][name]`` is the name's class at ``level - 1``.
SHIPRS_PARENT: Dict[int, Dict[str, str]] = {
    3: _level3_parents(),
    2: {
        name:
        ('Other Ship' if name == 'Other Ship' else 'Dock' if name == 'Dock'
         else 'Warship' if _LEVEL2.index(name) <= 10 else 'Merchant')
        for name in _LEVEL2
    },
    1: {name: 'Dock' if name == 'Dock' else 'Ship'
        for name in _LEVEL1},
}


def shiprs_map_level3(name: str, level: int) -> str:
    """Map a level-3 class name to its class at ``level`` (0..3).

    Args:
        name (str): A level-3 class name (e.g. ``'Nimitz'``).
        level (int): The target level.

    Returns:
        str: The class name at ``level`` (e.g. ``'Aircraft Carrier'`` at
        level 2, ``'Warship'`` at 1, ``'Ship'`` at 0).
    """
    if name not in SHIPRS_PARENT[3]:
        raise KeyError(f'unknown ShipRSImageNet level-3 class {name!r}')
    for current in (3, 2, 1):
        if current == level:
            break
        name = SHIPRS_PARENT[current][name]
    return name


@DATASETS.register_module()
class ShipRSImageNetDataset(CocoDataset):
    """ShipRSImageNet (Zhang et al., JSTARS 2021), level 3: 50 ship types.
    """

    METAINFO = {'classes': _LEVEL3, 'palette': distinct_palette(len(_LEVEL3))}


@DATASETS.register_module()
class ShipRSImageNetLevel2Dataset(ShipRSImageNetDataset):
    """ShipRSImageNet level 2: 25 classes."""

    METAINFO = {'classes': _LEVEL2, 'palette': distinct_palette(len(_LEVEL2))}


@DATASETS.register_module()
class ShipRSImageNetLevel1Dataset(ShipRSImageNetDataset):
    """ShipRSImageNet level 1: Other Ship, Warship, Merchant, Dock."""

    METAINFO = {'classes': _LEVEL1, 'palette': distinct_palette(len(_LEVEL1))}


@DATASETS.register_module()
class ShipRSImageNetLevel0Dataset(ShipRSImageNetDataset):
    """ShipRSImageNet level 0: Ship, Dock."""

    METAINFO = {'classes': _LEVEL0, 'palette': distinct_palette(len(_LEVEL0))}

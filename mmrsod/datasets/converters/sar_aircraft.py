# Copyright (c) mmrsod contributors. All rights reserved.
"""SAR-AIRcraft-1.0 (VOC layout, official split lists) -> COCO json.

Layout of the release (Wang et al., Journal of Radars 2023)::

    SRC_ROOT/Annotations/<stem>.xml
    SRC_ROOT/ImageSets/Main/{train,test}.txt   (a val.txt is used if there)
    SRC_ROOT/JPEGImages/<stem>.jpg

Classes (``<name>`` tags): A220, A320/321, A330, ARJ21, Boeing737,
Boeing787, other. See :mod:`.voc_converter` for the handling rules and
:mod:`.voc_reader` for the 1-based box convention.
"""
from typing import Optional, Sequence

from ..sar_aircraft import SARAircraftDataset
from .report import ConversionReport
from .voc_converter import category_by_name, convert_voc

__all__ = ['convert_sar_aircraft', 'SAR_AIRCRAFT_SPLITS']

SAR_AIRCRAFT_SPLITS = ('train', 'val', 'test')


def convert_sar_aircraft(src_root: str,
                         out_dir: str,
                         splits: Optional[Sequence[str]] = None,
                         difficult_as_ignore: bool = True,
                         skip_invalid: bool = False) -> ConversionReport:
    """Convert SAR-AIRcraft-1.0 to ``sar_aircraft_<split>.json``.

    Args:
        src_root (str): The release root (holding ``Annotations``).
        out_dir (str): Output folder.
        splits (Sequence[str], optional): Split lists to convert
            (default: those of train/val/test that exist).
        difficult_as_ignore (bool): ``difficult=1`` -> ``iscrowd=1``.
        skip_invalid (bool): Skip (and count) invalid objects.

    Returns:
        ConversionReport: The report.
    """
    classes = SARAircraftDataset.METAINFO['classes']
    return convert_voc(
        src_root,
        out_dir,
        'sar_aircraft',
        classes,
        category_by_name(classes),
        splits=splits,
        official_splits=SAR_AIRCRAFT_SPLITS,
        difficult_as_ignore=difficult_as_ignore,
        skip_invalid=skip_invalid)

# Copyright (c) mmrsod contributors. All rights reserved.
"""TGRS-HRRSD (VOC layout, official split lists) -> COCO json.

The release (github.com/CrazyStoneonRoad/TGRS-HRRSD-Dataset) keeps the
VOC folders under ``OPT2017/``::

    SRC_ROOT/OPT2017/Annotations/00001.xml
    SRC_ROOT/OPT2017/ImageSets/Main/{train,val,trainval,test}.txt
    SRC_ROOT/OPT2017/JPEGImages/00001.jpg

``SRC_ROOT`` may be the release root or ``OPT2017`` itself; COCO
``file_name`` is relative to ``SRC_ROOT``. Default splits: train, val,
test (5401 / 5417 / 10943 images in the release; ``trainval`` on
request). See :mod:`.voc_converter` for the handling rules and
:mod:`.voc_reader` for the 1-based box convention.
"""
import os.path as osp
from typing import Optional, Sequence

from ..hrrsd import HRRSDDataset
from .file_utils import find_subdir
from .report import ConversionReport
from .voc_converter import category_by_name, convert_voc

__all__ = ['convert_hrrsd', 'HRRSD_SPLITS']

HRRSD_SPLITS = ('train', 'val', 'test')


def convert_hrrsd(src_root: str,
                  out_dir: str,
                  splits: Optional[Sequence[str]] = None,
                  difficult_as_ignore: bool = True,
                  skip_invalid: bool = False) -> ConversionReport:
    """Convert HRRSD to ``hrrsd_<split>.json``.

    Args:
        src_root (str): The release root or its ``OPT2017`` folder.
        out_dir (str): Output folder.
        splits (Sequence[str], optional): Split lists to convert
            (default: those of train/val/test that exist).
        difficult_as_ignore (bool): ``difficult=1`` -> ``iscrowd=1``.
        skip_invalid (bool): Skip (and count) invalid objects.

    Returns:
        ConversionReport: The report (also written as
        ``hrrsd_report.json``).
    """
    voc_root = src_root
    if osp.isdir(src_root) and find_subdir(
            src_root, ['Annotations'], required=False) is None:
        voc_root = find_subdir(src_root, ['OPT2017'], required=False) or \
            src_root
    classes = HRRSDDataset.METAINFO['classes']
    return convert_voc(
        voc_root,
        out_dir,
        'hrrsd',
        classes,
        category_by_name(classes),
        splits=splits,
        official_splits=HRRSD_SPLITS,
        image_root=src_root,
        difficult_as_ignore=difficult_as_ignore,
        skip_invalid=skip_invalid)

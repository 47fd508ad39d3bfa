# Copyright (c) mmrsod contributors. All rights reserved.
"""Converters of remote-sensing detection data sets to COCO json, and the
tiler.

Library side of ``tools/dataset_converters/{nwpu_vhr10,dota,hrrsd,
shiprsimagenet,sar_aircraft,split_tiles}.py``; the rules they share are in
:mod:`.coco_builder`, :mod:`.voc_reader` and :mod:`.voc_converter`; the
tiling rules in :mod:`.tiling`.
"""
from .coco_builder import BoxRecord, CocoBuilder, ImageRecord
from .dota import DOTA_CLASSES, convert_dota
from .hrrsd import HRRSD_SPLITS, convert_hrrsd
from .nwpu_vhr10 import (NWPU_SPLITS, convert_nwpu_vhr10, parse_nwpu_line,
                         split_by_image)
from .report import ConversionReport, write_json
from .sar_aircraft import SAR_AIRCRAFT_SPLITS, convert_sar_aircraft
from .shiprsimagenet import SHIPRS_SPLITS, convert_shiprsimagenet
from .tiling import (TilingError, clip_box, crop_tile, dump_coco_json,
                     plan_tiles, tile_grid, tile_starts, tile_stems,
                     validate_coco, write_image_tiles)
from .voc_converter import category_by_name, convert_voc, read_split_list
from .voc_reader import (VocAnnotation, VocObject, read_voc_xml,
                         voc_box_to_corners)

__all__ = [
    'BoxRecord', 'CocoBuilder', 'ImageRecord', 'ConversionReport',
    'write_json', 'DOTA_CLASSES', 'convert_dota', 'HRRSD_SPLITS',
    'convert_hrrsd', 'NWPU_SPLITS', 'convert_nwpu_vhr10', 'parse_nwpu_line',
    'split_by_image', 'SAR_AIRCRAFT_SPLITS', 'convert_sar_aircraft',
    'SHIPRS_SPLITS', 'convert_shiprsimagenet', 'category_by_name',
    'convert_voc', 'read_split_list', 'VocAnnotation', 'VocObject',
    'read_voc_xml', 'voc_box_to_corners', 'TilingError', 'clip_box',
    'crop_tile', 'dump_coco_json', 'plan_tiles', 'tile_grid', 'tile_starts',
    'tile_stems', 'validate_coco', 'write_image_tiles'
]

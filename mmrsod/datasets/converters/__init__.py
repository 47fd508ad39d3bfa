# Copyright (c) mmrsod contributors. All rights reserved.
"""Data set converters and the tiler (used by ``tools/dataset_converters``).
"""
from .tiling import (TilingError, clip_box, crop_tile, dump_coco_json,
                     plan_tiles, tile_grid, tile_starts, tile_stems,
                     validate_coco, write_image_tiles)

__all__ = [
    'TilingError', 'clip_box', 'crop_tile', 'dump_coco_json', 'plan_tiles',
    'tile_grid', 'tile_starts', 'tile_stems', 'validate_coco',
    'write_image_tiles'
]

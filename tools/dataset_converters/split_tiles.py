# Copyright (c) mmrsod contributors. All rights reserved.
"""Cut the images of a COCO detection json into overlapping square tiles.

Example (the SDCoNet protocol for NWPU VHR-10: 512 px tiles, 100 px
overlap; one run per split json into the same folder)::

    for s in train val test; do
      python tools/dataset_converters/split_tiles.py \\
          data/nwpu_vhr10/nwpu_vhr10_$s.json \\
          "data/NWPU VHR-10 dataset" data/nwpu_vhr10_split \\
          --tile 512 --overlap 100 --nproc 2
    done

Writes ``OUT_DIR/images/<stem>_<x0>_<y0>.png`` (lossless, ``tile x tile``,
zero-padded right/bottom) and ``OUT_DIR/<basename of IN_JSON>`` (COCO;
each image also has ``source`` and ``tile_xy``). The rules for the grid,
clipped boxes (``--min-area-ratio``) and empty tiles (``--keep-empty``) are
in ``tools/dataset_converters/TILING.md`` and
:mod:`mmrsod.datasets.converters.tiling`. The output does not depend on
``--nproc``; a re-run writes the same json bytes and leaves tiles that are
already identical untouched (changed ones are replaced atomically).
"""
import mmrsod  # noqa: F401  # isort: skip  (first: quiets pkg_resources)
import argparse
import json
import os.path as osp
import sys
import time
from functools import partial
from multiprocessing import Pool
from typing import Dict, List, Optional

from mmengine.utils import ProgressBar

from mmrsod.datasets.converters.tiling import (TilingError, dump_coco_json,
                                               plan_tiles, validate_coco,
                                               write_image_tiles)
from mmrsod.utils.cli import report_input_errors

__all__ = ['main', 'parse_args', 'split_tiles']


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog='split_tiles.py',
        description='Cut the images of a COCO detection json into '
        'overlapping square tiles (boxes clipped, ids deterministic).')
    parser.add_argument('in_json', help='COCO json of whole images')
    parser.add_argument(
        'img_root', help='folder the json\'s file_name entries are under')
    parser.add_argument(
        'out_dir', help='output folder (tiles in OUT_DIR/images/)')
    parser.add_argument(
        '--tile', type=int, default=512, help='tile size in px (512)')
    parser.add_argument(
        '--overlap',
        type=int,
        default=100,
        help='overlap of neighbouring tiles in px (100)')
    parser.add_argument(
        '--min-area-ratio',
        type=float,
        default=0.5,
        help='keep a clipped box when at least this fraction of it lies in '
        'the tile (of min(w, tile) x min(h, tile) for boxes larger than a '
        'tile); default 0.5')
    parser.add_argument(
        '--keep-empty',
        action='store_true',
        help='also write tiles without boxes (dropped by default)')
    parser.add_argument(
        '--nproc', type=int, default=1, help='worker processes (1)')
    args = parser.parse_args(argv)
    if args.nproc < 1:
        parser.error(f'--nproc must be >= 1, got {args.nproc}')
    if args.tile <= 0 or not 0 <= args.overlap < args.tile:
        parser.error(f'need --tile > 0 and 0 <= --overlap < --tile, got '
                     f'--tile {args.tile} --overlap {args.overlap}')
    if not 0 < args.min_area_ratio <= 1:
        parser.error('--min-area-ratio must be in (0, 1], got '
                     f'{args.min_area_ratio}')
    return args


def _load_json(path: str) -> Dict:
    if not osp.isfile(path):
        raise TilingError(f'{path}: no such file')
    try:
        with open(path, encoding='utf-8') as f:
            coco = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise TilingError(f'{path}: not a json file ({err})') from None
    validate_coco(coco, path)
    return coco


def split_tiles(in_json: str,
                img_root: str,
                out_dir: str,
                tile: int = 512,
                overlap: int = 100,
                min_area_ratio: float = 0.5,
                keep_empty: bool = False,
                nproc: int = 1,
                progress: bool = True) -> Dict:
    """Tile the images of ``in_json`` into ``out_dir`` (see module doc).

    Args:
        in_json (str): COCO json of whole images.
        img_root (str): Folder the json's ``file_name`` entries are under.
        out_dir (str): Output folder.
        tile (int): Tile size. Defaults to 512.
        overlap (int): Overlap. Defaults to 100.
        min_area_ratio (float): Kept-area threshold. Defaults to 0.5.
        keep_empty (bool): Keep tiles without boxes. Defaults to False.
        nproc (int): Worker processes. Defaults to 1.
        progress (bool): Show a progress bar on stderr. Defaults to True.

    Returns:
        dict: The statistics of
        :func:`~mmrsod.datasets.converters.tiling.plan_tiles` plus
        ``tiles_written``, ``tiles_unchanged``, ``json_written`` and
        ``out_json``.
    """
    coco = _load_json(in_json)
    missing = [
        img['file_name'] for img in coco['images']
        if not osp.isfile(osp.join(img_root, img['file_name']))
    ]
    if missing:
        more = f' (+{len(missing) - 1} more)' if len(missing) > 1 else ''
        raise TilingError(f'{osp.join(img_root, missing[0])} (listed in '
                          f'{in_json}) is missing{more}')
    out, jobs, stats = plan_tiles(
        coco,
        tile=tile,
        overlap=overlap,
        min_area_ratio=min_area_ratio,
        keep_empty=keep_empty)
    worker = partial(
        write_image_tiles,
        img_root=img_root,
        out_root=out_dir,
        tile=tile,
        json_path=in_json)
    bar = ProgressBar(len(jobs), file=sys.stderr) if progress and jobs \
        else None
    results = []
    if nproc == 1:
        for job in jobs:
            results.append(worker(job))
            if bar:
                bar.update()
    else:
        with Pool(nproc) as pool:
            for res in pool.imap(worker, jobs, chunksize=1):
                results.append(res)
                if bar:
                    bar.update()
    if bar:
        sys.stderr.write('\n')
    out_json = osp.join(out_dir, osp.basename(in_json))
    stats['tiles_written'] = sum(r[0] for r in results)
    stats['tiles_unchanged'] = sum(r[1] for r in results)
    stats['json_written'] = dump_coco_json(out, out_json)
    stats['out_json'] = out_json
    return stats


def format_summary(stats: Dict, in_json: str, seconds: float) -> str:
    """The summary printed by the tool."""
    per_class = ', '.join(f'{k}: {v}'
                          for k, v in stats['boxes_out_per_class'].items())
    return '\n'.join([
        f'{in_json}: {stats["images_in"]} images in -> '
        f'{stats["tiles_kept"]} tiles out of {stats["tiles_total"]} '
        f'({stats["tiles_empty"]} without boxes, '
        f'{stats["tiles_empty_dropped"]} of them dropped)',
        f'boxes: {stats["boxes_in"]} in, {stats["boxes_out"]} out '
        f'({stats["boxes_cut"]} cut at a tile border, '
        f'{stats["boxes_dropped_area"]} box/tile pairs dropped by the '
        f'area rule, {stats["boxes_lost"]} boxes in no tile, '
        f'{stats["boxes_degenerate"]} zero-size boxes skipped)',
        f'boxes out per class: {per_class}',
        f'tiles: {stats["tiles_written"]} written, '
        f'{stats["tiles_unchanged"]} already up to date; '
        f'{stats["out_json"]} '
        f'{"written" if stats["json_written"] else "unchanged"} '
        f'({seconds:.1f} s)',
    ])


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point; returns the exit status (2 on bad input)."""
    args = parse_args(argv)
    start = time.time()
    with report_input_errors('split_tiles.py'):
        stats = split_tiles(
            args.in_json,
            args.img_root,
            args.out_dir,
            tile=args.tile,
            overlap=args.overlap,
            min_area_ratio=args.min_area_ratio,
            keep_empty=args.keep_empty,
            nproc=args.nproc)
    print(format_summary(stats, args.in_json, time.time() - start))
    return 0


if __name__ == '__main__':
    sys.exit(main())

# Copyright (c) mmrsod contributors. All rights reserved.
"""Tiling throughput (source images/s) of ``split_tiles.py``.

Each run tiles every image of ``IN_JSON`` into a fresh temporary folder
(so no tile is skipped as already up to date), with ``--nproc`` worker
processes, and is timed from reading the json to writing the tiled json;
the median over ``--repeat`` runs is reported. Example (the 650 NWPU VHR-10
positives, 512 px tiles with 100 px overlap, 2 processes)::

    python tools/analysis_tools/benchmark_tiling.py \\
        data/nwpu_vhr10/nwpu_vhr10_all.json "data/NWPU VHR-10 dataset" \\
        --nproc 2

``IN_JSON`` can be any COCO json of whole images, e.g. one split of a
converter's output or several concatenated with ``--json`` repeated.
"""
import mmrsod  # noqa: F401  # isort: skip  (first: quiets pkg_resources)
import argparse
import importlib.util
import os
import os.path as osp
import platform
import shutil
import statistics
import sys
import tempfile
import time
from typing import List, Optional

from mmrsod.utils.cli import report_input_errors

__all__ = ['main']

_SPLIT_TILES = osp.join(
    osp.dirname(osp.dirname(osp.abspath(__file__))), 'dataset_converters',
    'split_tiles.py')


def _split_tiles_module():
    spec = importlib.util.spec_from_file_location('split_tiles', _SPLIT_TILES)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog='benchmark_tiling.py', description='Benchmark tiling speed')
    parser.add_argument('in_json', help='COCO json of whole images')
    parser.add_argument('img_root', help='folder of its file_name entries')
    parser.add_argument('--tile', type=int, default=512)
    parser.add_argument('--overlap', type=int, default=100)
    parser.add_argument('--min-area-ratio', type=float, default=0.5)
    parser.add_argument('--keep-empty', action='store_true')
    parser.add_argument('--nproc', type=int, default=2)
    parser.add_argument('--repeat', type=int, default=1)
    parser.add_argument(
        '--tmp-dir',
        default=None,
        help='where the temporary output goes (default: the system temp '
        'folder); it is removed after each run')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    split_tiles = _split_tiles_module().split_tiles
    times, stats = [], None
    with report_input_errors('benchmark_tiling.py'):
        for _ in range(args.repeat):
            out_dir = tempfile.mkdtemp(
                prefix='tiling-bench-', dir=args.tmp_dir)
            try:
                start = time.perf_counter()
                stats = split_tiles(
                    args.in_json,
                    args.img_root,
                    out_dir,
                    tile=args.tile,
                    overlap=args.overlap,
                    min_area_ratio=args.min_area_ratio,
                    keep_empty=args.keep_empty,
                    nproc=args.nproc,
                    progress=False)
                times.append(time.perf_counter() - start)
            finally:
                shutil.rmtree(out_dir, ignore_errors=True)
    sec = statistics.median(times)
    print(f'tiling {args.in_json}: {stats["images_in"]} images -> '
          f'{stats["tiles_written"]} tiles ({args.tile} px, overlap '
          f'{args.overlap}, {"all" if args.keep_empty else "non-empty"} '
          f'tiles written as PNG)')
    print(f'nproc {args.nproc}: {sec:.1f} s (median of {len(times)}) = '
          f'{stats["images_in"] / sec:.1f} images/s, '
          f'{stats["tiles_written"] / sec:.1f} tiles/s '
          f'[{platform.processor() or platform.machine()}, '
          f'{os.cpu_count()} CPUs, python {platform.python_version()}]')
    return 0


if __name__ == '__main__':
    sys.exit(main())

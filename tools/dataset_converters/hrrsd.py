# Copyright (c) mmrsod contributors. All rights reserved.
"""TGRS-HRRSD (VOC layout) -> ``hrrsd_{train,val,test}.json``.

Example::

    python tools/dataset_converters/hrrsd.py data/TGRS-HRRSD-Dataset \
        data/hrrsd

``SRC_ROOT`` is the release root (with ``OPT2017/``) or ``OPT2017``; see
``tools/dataset_converters/README.md``.
"""
import mmrsod  # noqa: F401  # isort: skip  (first: quiets pkg_resources)
import sys

from mmrsod.datasets.converters import convert_hrrsd
from mmrsod.datasets.converters.cli import (converter_parser,
                                            difficult_argument, run_converter)


def parse_args(argv=None):
    """Parse the command line."""
    parser = converter_parser(
        'Convert TGRS-HRRSD to COCO json with its official split lists.')
    parser.add_argument(
        '--splits',
        nargs='+',
        help='split lists (default: those of train '
        'val test that exist; trainval on request)')
    difficult_argument(parser)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Entry point; returns the exit status."""
    args = parse_args(argv)
    return run_converter(
        __file__, lambda: convert_hrrsd(
            args.src_root,
            args.out_dir,
            splits=args.splits,
            difficult_as_ignore=not args.difficult_as_normal,
            skip_invalid=args.skip_invalid))


if __name__ == '__main__':
    sys.exit(main())

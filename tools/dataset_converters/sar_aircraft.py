# Copyright (c) mmrsod contributors. All rights reserved.
"""SAR-AIRcraft-1.0 (VOC layout) -> ``sar_aircraft_{train,test}.json``.

Example::

    python tools/dataset_converters/sar_aircraft.py \
        data/SAR-AIRcraft-1.0 data/sar_aircraft

See ``tools/dataset_converters/README.md``.
"""
import mmrsod  # noqa: F401  # isort: skip  (first: quiets pkg_resources)
import sys

from mmrsod.datasets.converters import convert_sar_aircraft
from mmrsod.datasets.converters.cli import (converter_parser,
                                            difficult_argument, run_converter)


def parse_args(argv=None):
    """Parse the command line."""
    parser = converter_parser(
        'Convert SAR-AIRcraft-1.0 to COCO json with its official split '
        'lists.')
    parser.add_argument(
        '--splits',
        nargs='+',
        help='split lists (default: those of train '
        'val test that exist)')
    difficult_argument(parser)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Entry point; returns the exit status."""
    args = parse_args(argv)
    return run_converter(
        __file__, lambda: convert_sar_aircraft(
            args.src_root,
            args.out_dir,
            splits=args.splits,
            difficult_as_ignore=not args.difficult_as_normal,
            skip_invalid=args.skip_invalid))


if __name__ == '__main__':
    sys.exit(main())

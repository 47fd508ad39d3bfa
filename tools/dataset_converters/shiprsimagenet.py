# Copyright (c) mmrsod contributors. All rights reserved.
"""ShipRSImageNet (VOC or COCO release) -> ``shiprsimagenet_<split>.json``
at class level 0..3.

Example::

    python tools/dataset_converters/shiprsimagenet.py data/ShipRSImageNet \
        data/shiprsimagenet --level 3

See ``tools/dataset_converters/README.md``.
"""
import mmrsod  # noqa: F401  # isort: skip  (first: quiets pkg_resources)
import sys

from mmrsod.datasets.converters import convert_shiprsimagenet
from mmrsod.datasets.converters.cli import (converter_parser,
                                            difficult_argument, run_converter)


def parse_args(argv=None):
    """Parse the command line."""
    parser = converter_parser(
        'Convert ShipRSImageNet to COCO json at one class level.')
    parser.add_argument(
        '--level',
        type=int,
        default=3,
        choices=[0, 1, 2, 3],
        help='class level: 0 (2 classes), 1 (4), 2 (25), 3 (50; default)')
    parser.add_argument(
        '--source',
        default='voc',
        choices=['voc', 'coco'],
        help='read the VOC_Format (default) or the COCO_Format release')
    parser.add_argument(
        '--splits',
        nargs='+',
        help='splits (default: those of train val '
        'test that exist)')
    difficult_argument(parser)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Entry point; returns the exit status."""
    args = parse_args(argv)
    return run_converter(
        __file__, lambda: convert_shiprsimagenet(
            args.src_root,
            args.out_dir,
            level=args.level,
            source=args.source,
            splits=args.splits,
            difficult_as_ignore=not args.difficult_as_normal,
            skip_invalid=args.skip_invalid))


if __name__ == '__main__':
    sys.exit(main())

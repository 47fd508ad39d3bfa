# Copyright (c) mmrsod contributors. All rights reserved.
"""DOTA v1.0 / v1.5 -> horizontal-box ``dota_<split>.json``.

Example::

    python tools/dataset_converters/dota.py data/DOTA data/dota \
        --version 1.5 --label-dir labelTxt-v1.5

``SRC_ROOT`` holds ``train/``, ``val/`` (and ``test/``), each with
``images/`` and a label folder; see ``tools/dataset_converters/README.md``.
"""
import mmrsod  # noqa: F401  # isort: skip  (first: quiets pkg_resources)
import sys

from mmrsod.datasets.converters import convert_dota
from mmrsod.datasets.converters.cli import (converter_parser,
                                            difficult_argument, run_converter)


def parse_args(argv=None):
    """Parse the command line."""
    parser = converter_parser(
        'Convert DOTA (v1.0/v1.5) to COCO json with horizontal boxes.')
    parser.add_argument(
        '--version',
        default='1.0',
        choices=['1.0', '1.5'],
        help='class set: 1.0 (15 classes) or 1.5 (16)')
    parser.add_argument(
        '--splits',
        nargs='+',
        help='split folders (default: those of '
        'train val test that exist)')
    parser.add_argument(
        '--label-dir',
        default='labelTxt',
        help='label folder inside each split (default: labelTxt)')
    difficult_argument(parser)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Entry point; returns the exit status."""
    args = parse_args(argv)
    return run_converter(
        __file__, lambda: convert_dota(
            args.src_root,
            args.out_dir,
            version=args.version,
            splits=args.splits,
            label_dir=args.label_dir,
            difficult_as_ignore=not args.difficult_as_normal,
            skip_invalid=args.skip_invalid))


if __name__ == '__main__':
    sys.exit(main())

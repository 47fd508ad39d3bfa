# Copyright (c) mmrsod contributors. All rights reserved.
"""NWPU VHR-10 release -> ``nwpu_vhr10_{train,val,test}.json``.

Example::

    python tools/dataset_converters/nwpu_vhr10.py \
        "data/NWPU VHR-10 dataset" data/nwpu_vhr10 --ratios 0.6 0.2 0.2 \
        --seed 0

Writes one COCO json and one split list (``file_name`` per line) per split
and prints the summary; see ``tools/dataset_converters/README.md``.
"""
import mmrsod  # noqa: F401  # isort: skip  (first: quiets pkg_resources)
import sys

from mmrsod.datasets.converters import convert_nwpu_vhr10
from mmrsod.datasets.converters.cli import converter_parser, run_converter


def parse_args(argv=None):
    """Parse the command line."""
    parser = converter_parser(
        'Convert the NWPU VHR-10 release to COCO json with a seeded '
        'train/val/test split by source image.')
    parser.add_argument(
        '--ratios',
        type=float,
        nargs=3,
        default=(0.6, 0.2, 0.2),
        metavar=('TRAIN', 'VAL', 'TEST'),
        help='split fractions (default: 0.6 0.2 0.2)')
    parser.add_argument(
        '--seed', type=int, default=0, help='split seed (default: 0)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Entry point; returns the exit status."""
    args = parse_args(argv)
    return run_converter(
        __file__, lambda: convert_nwpu_vhr10(
            args.src_root,
            args.out_dir,
            ratios=args.ratios,
            seed=args.seed,
            skip_invalid=args.skip_invalid))


if __name__ == '__main__':
    sys.exit(main())

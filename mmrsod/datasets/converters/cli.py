# Copyright (c) mmrsod contributors. All rights reserved.
"""Shared command-line plumbing of ``tools/dataset_converters/*.py``."""
import argparse
import os.path as osp
import sys
import time
from typing import Callable

from mmrsod.utils.cli import report_input_errors
from .report import ConversionReport

__all__ = ['converter_parser', 'difficult_argument', 'run_converter']


def converter_parser(description: str) -> argparse.ArgumentParser:
    """A parser with ``SRC_ROOT OUT_DIR`` and ``--skip-invalid``.

    Args:
        description (str): The tool's description.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('src_root', help='the data set folder as released')
    parser.add_argument(
        'out_dir', help='output folder for <name>_<split>.json')
    parser.add_argument(
        '--skip-invalid',
        action='store_true',
        help='skip (and count in the summary) malformed lines, unknown '
        'classes and inverted boxes instead of stopping with an error')
    return parser


def difficult_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--difficult-as-normal`` (default: difficult -> iscrowd=1)."""
    parser.add_argument(
        '--difficult-as-normal',
        action='store_true',
        help='keep difficult objects as normal boxes (default: iscrowd=1, '
        'an ignore region)')


def run_converter(prog: str, convert: Callable[[], ConversionReport]) -> int:
    """Run ``convert`` with bad input reported as one line (exit 2) and
    print its summary.

    Args:
        prog (str): The tool's file name, e.g. ``'nwpu_vhr10.py'``.
        convert (Callable): Runs the conversion, returns the report.

    Returns:
        int: 0 on success.
    """
    start = time.time()
    with report_input_errors(osp.basename(prog)):
        report = convert()
    print(report.format_summary())
    print(f'done in {time.time() - start:.1f} s')
    sys.stdout.flush()
    return 0

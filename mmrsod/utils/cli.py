# Copyright (c) mmrsod contributors. All rights reserved.
"""Shared helpers for the command-line tools in ``tools/``."""
import os
import sys
from contextlib import contextmanager
from typing import Iterator

from mmrsod.utils.errors import InputError

__all__ = ['report_input_errors', 'USER_ERROR_EXIT_CODE']

USER_ERROR_EXIT_CODE = 2


@contextmanager
def report_input_errors(prog: str) -> Iterator[None]:
    """Turn :class:`~mmrsod.utils.errors.InputError` into one stderr line.

    Bad input (a missing config, an unknown ``--cfg-options`` key, a dataset
    folder that is missing or incomplete) is reported as
    ``<prog>: error: <message>`` with exit status 2 and no traceback; set
    ``MMRSOD_DEBUG=1`` to see the traceback. Other exceptions propagate.

    Args:
        prog (str): The tool's name, e.g. ``'train.py'``.
    """
    try:
        yield
    except InputError as err:
        if os.environ.get('MMRSOD_DEBUG', '0') == '1':
            raise
        message = ' '.join(str(err).split())
        print(f'{prog}: error: {message}', file=sys.stderr)
        sys.exit(USER_ERROR_EXIT_CODE)

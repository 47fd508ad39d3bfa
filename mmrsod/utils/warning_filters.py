# Copyright (c) mmrsod contributors. All rights reserved.
"""Silence the known, non-actionable warnings of the OpenMMLab stack.

Every command printed the same deprecation notices, which hid real
warnings. The command-line tools (the entry points, not the library) call
:func:`quiet_known_warnings` and, once a runner exists,
:func:`quiet_known_log_records`. Each filter matches one message only, so
any other warning still shows. (``pkg_resources`` is deprecated as an API,
but mmcv 2.1.0 and mmengine 0.10.7 import it and the stack pins
setuptools < 81 for them: :mod:`mmrsod` quiets that one on import, before
it imports mmengine.)
"""
import logging
import re
import warnings
from typing import Tuple

__all__ = [
    'KNOWN_WARNINGS', 'KNOWN_LOG_MESSAGES', 'quiet_known_warnings',
    'quiet_known_log_records'
]

#: Message regexes (matched at the start, as :mod:`warnings` does) of the
#: ``warnings.warn`` notices that the stack emits on every run.
KNOWN_WARNINGS: Tuple[str, ...] = (
    # setuptools, on mmengine's/mmcv's `import pkg_resources`
    r'pkg_resources is deprecated as an API',
    # mmseg's BaseDecodeHead builds its losses with its own build_loss
    r'``build_loss`` would be deprecated soon',
    # mmseg's SegVisualizationHook with the default draw=False
    r'The draw is False, it means that the hook for visualization',
)

#: Regexes of mmengine logger WARNING lines that mmengine's own hooks
#: trigger (CheckpointHook/LoggerHook still build a FileClient).
KNOWN_LOG_MESSAGES: Tuple[str, ...] = (
    r'"FileClient" will be deprecated in future',
    r'"HardDiskBackend" is the alias of "LocalBackend"',
    # tools/test.py --out adds a DumpResults/DumpDetResults evaluator,
    # which has no default_prefix (it reports no metric)
    r'The prefix is not set in metric class Dump(Det)?Results',
)


def quiet_known_warnings() -> None:
    """Ignore the :data:`KNOWN_WARNINGS` (and nothing else)."""
    for message in KNOWN_WARNINGS:
        warnings.filterwarnings('ignore', message=message)


class _KnownLogRecordFilter(logging.Filter):
    """Drop log records whose message matches :data:`KNOWN_LOG_MESSAGES`."""

    _pattern = re.compile('|'.join(KNOWN_LOG_MESSAGES))

    def filter(self, record: logging.LogRecord) -> bool:
        return not self._pattern.search(str(record.getMessage()))


def quiet_known_log_records(logger: logging.Logger) -> None:
    """Drop the :data:`KNOWN_LOG_MESSAGES` lines from ``logger``.

    Args:
        logger (logging.Logger): Usually ``runner.logger`` (mmengine's
            ``MMLogger``, the "current" logger of ``print_log``).
    """
    if not any(isinstance(f, _KnownLogRecordFilter) for f in logger.filters):
        logger.addFilter(_KnownLogRecordFilter())

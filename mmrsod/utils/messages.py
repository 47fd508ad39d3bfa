# Copyright (c) mmrsod contributors. All rights reserved.
"""Formatting helpers for one-line error messages."""
from typing import Sequence

__all__ = ['short_list']


def short_list(items: Sequence[str], max_items: int = 10) -> str:
    """Format ``items`` as ``'a, b, c (+N more)'``.

    Args:
        items (Sequence[str]): Names to show.
        max_items (int): How many to show before ``(+N more)``.
            Defaults to 10.

    Returns:
        str: The comma-separated first ``max_items`` items, followed by
        ``(+N more)`` when some were left out.
    """
    items = [str(item) for item in items]
    shown = ', '.join(items[:max_items])
    if len(items) > max_items:
        shown += f' (+{len(items) - max_items} more)'
    return shown

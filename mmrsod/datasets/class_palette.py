# Copyright (c) mmrsod contributors. All rights reserved.
"""Deterministic, well-separated class colours for dataset METAINFO."""
import colorsys
from typing import List, Tuple

__all__ = ['distinct_palette']


def distinct_palette(num_classes: int) -> List[Tuple[int, int, int]]:
    """``num_classes`` RGB colours with hues spread by the golden ratio.

    Args:
        num_classes (int): How many colours.

    Returns:
        list[tuple[int, int, int]]: RGB colours in 0..255; the same list
        for the same ``num_classes`` on every run.
    """
    colours = []
    for i in range(num_classes):
        hue = (i * 0.6180339887498949) % 1.0
        value = 0.95 if i % 2 == 0 else 0.75
        r, g, b = colorsys.hsv_to_rgb(hue, 0.85, value)
        colours.append((int(r * 255), int(g * 255), int(b * 255)))
    return colours

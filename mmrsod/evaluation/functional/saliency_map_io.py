# Copyright (c) mmrsod contributors. All rights reserved.
"""Reading and writing 8-bit saliency maps and GT masks."""
from pathlib import Path
from typing import Union

import cv2
import numpy as np

from mmrsod.utils.atomic_io import atomic_write_bytes


def read_gray_map(path: Union[str, Path]) -> np.ndarray:
    """Read a saliency map or mask as one uint8 channel.

    Gray images are returned as they are; 3-channel (BGR) images are
    converted with ``cv2.COLOR_BGR2GRAY`` (ITU-R BT.601 luma); 4-channel
    images drop alpha first (``cv2.COLOR_BGRA2GRAY``); 16-bit images are
    scaled to 8 bits (``// 257``). Works for PNG, JPG, BMP and TIFF.

    Args:
        path (str | Path): The file.

    Returns:
        np.ndarray: uint8 array of shape (H, W).

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If the file cannot be decoded.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f'map not found: {path}')
    data = np.fromfile(str(path), dtype=np.uint8)
    image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED) if data.size else None
    if image is None:
        raise ValueError(f'cannot decode image file {path} (empty or not an '
                         'image)')
    if image.dtype == np.uint16:
        image = (image // 257).astype(np.uint8)
    elif image.dtype in (np.float32, np.float64):
        image = np.round(np.clip(image, 0, 1) * 255).astype(np.uint8)
    elif image.dtype != np.uint8:
        raise ValueError(f'unsupported pixel type {image.dtype} in {path}')
    if image.ndim == 3:
        channels = image.shape[2]
        if channels == 1:
            image = image[..., 0]
        elif channels == 3:
            image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        elif channels == 4:
            image = cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
        else:
            raise ValueError(f'unsupported channel count {channels} in '
                             f'{path}')
    return np.ascontiguousarray(image)


def write_gray_png(image: np.ndarray, path: Union[str, Path]) -> None:
    """Write a uint8 (H, W) map as PNG atomically (temp file + rename).

    Args:
        image (np.ndarray): uint8 map of shape (H, W).
        path (str | Path): Destination; parent directories are created.
    """
    if image.dtype != np.uint8 or image.ndim != 2:
        raise ValueError('write_gray_png expects a uint8 (H, W) map, got '
                         f'{image.dtype} {image.shape}')
    ok, buffer = cv2.imencode('.png', image)
    if not ok:
        raise RuntimeError(f'PNG encoding failed for {path}')
    atomic_write_bytes(buffer.tobytes(), path)


__all__ = ['read_gray_map', 'write_gray_png']

# Copyright (c) mmrsod contributors. All rights reserved.
"""File-system helpers of the converters: image sizes from the header,
case-tolerant folder lookup, image indexing."""
import os
import os.path as osp
from typing import Dict, Optional, Sequence, Tuple

from PIL import Image, UnidentifiedImageError

from mmrsod.utils.errors import InputError

__all__ = [
    'IMAGE_EXTS', 'image_size', 'find_subdir', 'index_files', 'posix_rel'
]

IMAGE_EXTS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff')


def image_size(path: str) -> Tuple[int, int]:
    """``(width, height)`` of an image from its header (no pixel decode).

    The size is the stored one (an EXIF orientation tag is not applied).

    Args:
        path (str): The image file.

    Returns:
        tuple[int, int]: Width and height in pixels.
    """
    # DOTA has images of up to ~20000 x 20000 px, past PIL's decompression
    # bomb limit; only the header is read here, so the limit is lifted
    limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        with Image.open(path) as img:
            return img.size
    except (OSError, UnidentifiedImageError) as err:
        raise InputError(f'{path}: cannot read the image header ({err})')
    finally:
        Image.MAX_IMAGE_PIXELS = limit


def find_subdir(root: str,
                names: Sequence[str],
                required: bool = True) -> Optional[str]:
    """Return the first of ``names`` that is a folder under ``root``.

    The match ignores case (``Annotations`` or ``annotations``).

    Args:
        root (str): The parent folder.
        names (Sequence[str]): Accepted names (may contain ``/``).
        required (bool): Raise when none exists. Defaults to True.

    Returns:
        str | None: The folder's path.
    """
    for name in names:
        current = root
        for part in name.split('/'):
            if current is None or not osp.isdir(current):
                current = None
                break
            listing = {e.lower(): e for e in os.listdir(current)}
            current = (
                osp.join(current, listing[part.lower()])
                if part.lower() in listing else None)
        if current is not None and osp.isdir(current):
            return current
    if required:
        raise InputError(f'{root}: no folder named ' +
                         ' or '.join(repr(n) for n in names) +
                         ' (is this the data set root?)')
    return None


def index_files(folder: str, exts: Sequence[str]) -> Dict[str, str]:
    """Map file stem -> file name for the files of ``folder`` with one of
    ``exts`` (case-insensitive).

    Args:
        folder (str): The folder (not recursive).
        exts (Sequence[str]): Extensions with the dot, lower case.

    Returns:
        dict[str, str]: ``{stem: file name}``.
    """
    found: Dict[str, str] = {}
    for entry in sorted(os.listdir(folder)):
        stem, ext = osp.splitext(entry)
        if ext.lower() not in exts or not osp.isfile(osp.join(folder, entry)):
            continue
        if stem in found:
            raise InputError(f'{folder}: two files for one image: '
                             f'{found[stem]!r} and {entry!r}')
        found[stem] = entry
    return found


def posix_rel(path: str, root: str) -> str:
    """``path`` relative to ``root`` with ``/`` separators."""
    return osp.relpath(path, root).replace(osp.sep, '/')

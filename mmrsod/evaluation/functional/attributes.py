# Copyright (c) mmrsod contributors. All rights reserved.
"""Scene-attribute lists (ORSI-4199) and per-attribute scores.

ORSI-4199 labels every test image with scene attributes: BSO (big salient
object), CS (complex scene), CSO (complex salient object), ISO (incomplete
salient object), LCS (low contrast scene), MSO (multiple salient objects),
NSO (narrow salient object), OC (off center) and SSO (small salient object).
The SRAL paper (Table II) reports, per attribute, the mean over the test
images having it of the global ``C1 = C2 = 0`` SSIM
(:func:`mmrsod.evaluation.functional.global_ssim`), and an ``Avg.`` row that
is the mean of the nine attribute scores.

Attribute file format (plain text, UTF-8), one image per line::

    # comment lines and blank lines are ignored
    0001 BSO CS
    0002,SSO
    0002,OC

i.e. an image stem (a file name with an image extension is accepted and
reduced to its stem) followed by one or more attribute names, separated by
whitespace and/or commas. An image may appear on several lines; its
attributes are merged. Attribute names consist of letters, digits, ``_``
and ``-``.
"""
import re
from collections import OrderedDict
from pathlib import Path
from typing import Dict, List, Mapping, Sequence, Union

import numpy as np

from mmrsod.utils.messages import short_list

#: The nine ORSI-4199 scene attributes, in the order of the paper's Table II.
ORSI4199_ATTRIBUTES = ('BSO', 'CS', 'CSO', 'ISO', 'LCS', 'MSO', 'NSO', 'OC',
                       'SSO')

_IMAGE_SUFFIXES = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff')
_NAME = re.compile(r'^[A-Za-z0-9_\-]+$')


def _stem(token: str) -> str:
    """Strip a known image extension from a file name."""
    path = Path(token)
    if path.suffix.lower() in _IMAGE_SUFFIXES:
        return path.stem
    return token


def load_attribute_file(path: Union[str, Path]) -> Dict[str, List[str]]:
    """Read an attribute list file (format: see module docstring).

    Args:
        path (str | Path): The file.

    Returns:
        dict[str, list[str]]: Image stem -> sorted unique attribute names.

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: On a malformed line (message names file and line).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f'attribute file not found: {path}')
    attributes: Dict[str, set] = OrderedDict()
    text = path.read_text(encoding='utf-8-sig')
    for lineno, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        tokens = [t for t in re.split(r'[,\s]+', line) if t]
        if len(tokens) < 2:
            raise ValueError(
                f'{path}:{lineno}: malformed attribute line {line!r}; '
                "expected '<image stem> <attr> [<attr> ...]' or "
                "'<image stem>,<attr>'")
        stem = _stem(tokens[0])
        for name in tokens[1:]:
            if not _NAME.match(name):
                raise ValueError(
                    f'{path}:{lineno}: invalid attribute name {name!r} in '
                    f'line {line!r} (letters, digits, _ and - only)')
        attributes.setdefault(stem, set()).update(tokens[1:])
    if not attributes:
        raise ValueError(f'attribute file {path} lists no images')
    return {k: sorted(v) for k, v in attributes.items()}


def attribute_names(attributes: Mapping[str, Sequence[str]]) -> List[str]:
    """All attribute names: the ORSI-4199 ones first, then others sorted."""
    found = set()
    for names in attributes.values():
        found.update(names)
    known = [n for n in ORSI4199_ATTRIBUTES if n in found]
    return known + sorted(found - set(ORSI4199_ATTRIBUTES))


def check_attribute_coverage(stems: Sequence[str],
                             attributes: Mapping[str, Sequence[str]],
                             attribute_file: str = '<attributes>') -> None:
    """Raise if an evaluated image is missing from the attribute list.

    Args:
        stems (Sequence[str]): Stems of the evaluated images.
        attributes (Mapping): Output of :func:`load_attribute_file`.
        attribute_file (str): Its path, for the message.
    """
    missing = [s for s in stems if s not in attributes]
    if missing:
        raise ValueError(
            f'{len(missing)} evaluated image(s) are missing from the '
            f'attribute file {attribute_file}: {short_list(missing)}')


def attribute_scores(stems: Sequence[str],
                     scores: Sequence[float],
                     attributes: Mapping[str, Sequence[str]],
                     attribute_file: str = '<attributes>',
                     prefix: str = 'SSIM_') -> Dict[str, float]:
    """Mean score per attribute over the images having it.

    Args:
        stems (Sequence[str]): Image stems, aligned with ``scores``.
        scores (Sequence[float]): Per-image scores (e.g. global SSIM).
        attributes (Mapping): Output of :func:`load_attribute_file`.
        attribute_file (str): Its path, for error messages.
        prefix (str): Key prefix. Defaults to ``'SSIM_'``.

    Returns:
        dict[str, float]: ``{prefix + name: mean}`` for every attribute with
        at least one evaluated image, plus ``prefix + 'avg'``: the mean of
        the attribute scores (the ``Avg.`` row of the SRAL paper's Table II).
    """
    if len(stems) != len(scores):
        raise ValueError('stems and scores must have the same length')
    check_attribute_coverage(stems, attributes, attribute_file)
    per_attr: Dict[str, List[float]] = {}
    for stem, score in zip(stems, scores):
        for name in attributes[stem]:
            per_attr.setdefault(name, []).append(float(score))
    results = OrderedDict()
    for name in attribute_names({s: attributes[s] for s in stems}):
        results[prefix + name] = float(np.mean(per_attr[name]))
    if results:
        results[prefix + 'avg'] = float(np.mean(list(results.values())))
    return dict(results)


__all__ = [
    'ORSI4199_ATTRIBUTES', 'load_attribute_file', 'attribute_names',
    'check_attribute_coverage', 'attribute_scores'
]

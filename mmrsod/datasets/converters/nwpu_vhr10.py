# Copyright (c) mmrsod contributors. All rights reserved.
"""NWPU VHR-10 (official release layout) -> COCO json with a seeded split.

Layout::

    SRC_ROOT/positive image set/001.jpg ...
    SRC_ROOT/negative image set/001.jpg ...   (optional, no objects)
    SRC_ROOT/ground truth/001.txt ...         (one per positive image)

Each ground-truth line is ``(x1,y1),(x2,y2),c`` with ``c`` in 1..10 (the
release's ``readme.txt``; spaces inside the parentheses, as in the real
files, are accepted). The box becomes ``[x1, y1, x2 - x1, y2 - y1]``.

There is no official split. Images are split by source image: the
positives and the negatives are each shuffled with
``numpy.random.RandomState(seed)`` (positives first, in sorted file order)
and cut into train/val/test by ``ratios`` (each split gets
``floor(r * n + 0.5)`` images, test the rest), so both kinds are spread in
proportion (stratified by positive/negative only, not by class). The split
depends only on the image file names and the seed, never on the
annotations. Split lists ``OUT_DIR/nwpu_vhr10_<split>.txt`` hold one
``file_name`` per line (``positive image set/001.jpg``: the stems of the
two folders overlap, so a stem alone is ambiguous).
"""
import math
import os.path as osp
import re
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from mmrsod.utils.atomic_io import atomic_write_bytes
from mmrsod.utils.errors import InputError
from ..nwpu_vhr10 import NWPUVHR10Dataset
from .coco_builder import CocoBuilder
from .file_utils import (IMAGE_EXTS, find_subdir, image_size, index_files,
                         posix_rel)
from .report import ConversionReport, write_json

__all__ = [
    'convert_nwpu_vhr10', 'parse_nwpu_line', 'split_by_image', 'NWPU_SPLITS'
]

NWPU_SPLITS = ('train', 'val', 'test')
_NUM = r'\s*(-?\d+(?:\.\d*)?)\s*'
_LINE = re.compile(r'^\(' + _NUM + ',' + _NUM + r'\)\s*,\s*\(' + _NUM + ',' +
                   _NUM + r'\)\s*,\s*(-?\d+)\s*$')


def parse_nwpu_line(
        text: str) -> Optional[Tuple[float, float, float, float, int]]:
    """Parse ``(x1,y1),(x2,y2),c``; returns None when malformed."""
    match = _LINE.match(text.strip())
    if match is None:
        return None
    x1, y1, x2, y2 = (float(v) for v in match.groups()[:4])
    return x1, y1, x2, y2, int(match.group(5))


def split_by_image(groups: Sequence[Sequence[str]], ratios: Sequence[float],
                   seed: int) -> Dict[str, List[str]]:
    """Seeded split of image names, each group spread in proportion.

    Args:
        groups (Sequence[Sequence[str]]): Image names per stratum (here:
            positives, negatives); each is sorted before shuffling.
        ratios (Sequence[float]): Train, val, test fractions (sum 1).
        seed (int): Seed of ``numpy.random.RandomState``.

    Returns:
        dict[str, list[str]]: Sorted names per split.
    """
    rng = np.random.RandomState(seed)
    out: Dict[str, List[str]] = {s: [] for s in NWPU_SPLITS}
    for group in groups:
        names = sorted(group)
        order = [names[i] for i in rng.permutation(len(names))]
        n = len(names)
        n_train = min(n, int(math.floor(ratios[0] * n + 0.5)))
        n_val = min(n - n_train, int(math.floor(ratios[1] * n + 0.5)))
        out['train'] += order[:n_train]
        out['val'] += order[n_train:n_train + n_val]
        out['test'] += order[n_train + n_val:]
    return {s: sorted(v) for s, v in out.items()}


def _check_ratios(ratios: Sequence[float]) -> Tuple[float, float, float]:
    if len(ratios) != 3 or any(
            r < 0 for r in ratios) or abs(sum(ratios) - 1.0) > 1e-6:
        raise InputError(f'--ratios {" ".join(str(r) for r in ratios)}: '
                         'need three non-negative train/val/test fractions '
                         'that sum to 1')
    return tuple(float(r) for r in ratios)


def _read_ground_truth(path: str, display: str, num_classes: int,
                       report: ConversionReport, skip_invalid: bool) -> list:
    boxes = []
    with open(path, encoding='utf-8-sig') as f:
        lines = f.read().splitlines()
    if not any(line.strip() for line in lines):
        report.note('empty annotation file (image kept without boxes)',
                    display)
        return boxes
    for lineno, line in enumerate(lines, start=1):
        where = f'{display}:{lineno}'
        if not line.strip():
            report.note('blank line', where)
            continue
        parsed = parse_nwpu_line(line)
        problem = None
        if parsed is None:
            problem = ('malformed line', f'malformed line {line.strip()!r}; '
                       'expected "(x1,y1),(x2,y2),c"')
        elif not 1 <= parsed[4] <= num_classes:
            problem = ('class id out of range',
                       f'class id {parsed[4]} is out of range '
                       f'1..{num_classes}')
        if problem is not None:
            report.reject(
                problem[0], where, f'{problem[1]}; fix the file or pass '
                '--skip-invalid to skip such lines', skip_invalid)
            continue
        boxes.append((parsed, where))
    return boxes


def convert_nwpu_vhr10(src_root: str,
                       out_dir: str,
                       ratios: Sequence[float] = (0.6, 0.2, 0.2),
                       seed: int = 0,
                       skip_invalid: bool = False) -> ConversionReport:
    """Convert the NWPU VHR-10 release to ``nwpu_vhr10_<split>.json``.

    Args:
        src_root (str): The release folder (``NWPU VHR-10 dataset``).
        out_dir (str): Output folder.
        ratios (Sequence[float]): Train/val/test fractions.
            Defaults to (0.6, 0.2, 0.2).
        seed (int): Split seed. Defaults to 0.
        skip_invalid (bool): Skip (and count) malformed lines, class ids
            out of range and inverted boxes instead of raising.

    Returns:
        ConversionReport: The report (also written as
        ``nwpu_vhr10_report.json``).
    """
    ratios = _check_ratios(ratios)
    if not osp.isdir(src_root):
        raise InputError(f'{src_root}: data set folder does not exist')
    report = ConversionReport('nwpu_vhr10')
    classes = NWPUVHR10Dataset.METAINFO['classes']
    pos_dir = find_subdir(src_root, ['positive image set'])
    neg_dir = find_subdir(src_root, ['negative image set'], required=False)
    gt_dir = find_subdir(src_root, ['ground truth'])
    positives = index_files(pos_dir, IMAGE_EXTS)
    gts = index_files(gt_dir, ('.txt', ))
    negatives = index_files(neg_dir, IMAGE_EXTS) if neg_dir else {}

    for stem in sorted(set(gts) - set(positives)):
        report.skip('annotation without image',
                    posix_rel(osp.join(gt_dir, gts[stem]), src_root))
    items = {}  # file_name -> (path, boxes)
    for stem in sorted(positives):
        path = osp.join(pos_dir, positives[stem])
        file_name = posix_rel(path, src_root)
        if stem not in gts:
            report.skip('image without annotation file', file_name)
            continue
        gt_path = osp.join(gt_dir, gts[stem])
        items[file_name] = (path,
                            _read_ground_truth(gt_path,
                                               posix_rel(gt_path, src_root),
                                               len(classes), report,
                                               skip_invalid))
    neg_names = []
    for stem in sorted(negatives):
        path = osp.join(neg_dir, negatives[stem])
        file_name = posix_rel(path, src_root)
        items[file_name] = (path, [])
        neg_names.append(file_name)
    negative_set = set(neg_names)
    pos_names = [n for n in items if n not in negative_set]
    splits = split_by_image([pos_names, neg_names], ratios, seed)

    outputs = {}
    for split in NWPU_SPLITS:
        builder = CocoBuilder(classes, report, split, skip_invalid)
        for file_name in splits[split]:
            path, boxes = items[file_name]
            width, height = image_size(path)
            record = builder.add_image(file_name, width, height)
            for (x1, y1, x2, y2, label), where in boxes:
                builder.add_box(record, label, (x1, y1, x2, y2), where)
        outputs[split] = builder.build()
    for split in NWPU_SPLITS:
        path = osp.join(out_dir, f'nwpu_vhr10_{split}.json')
        write_json(outputs[split], path)
        list_path = osp.join(out_dir, f'nwpu_vhr10_{split}.txt')
        atomic_write_bytes(
            ''.join(f'{n}\n' for n in splits[split]).encode('utf-8'),
            list_path)
        report.outputs += [path, list_path]
    report.write(out_dir)
    return report

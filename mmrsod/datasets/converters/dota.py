# Copyright (c) mmrsod contributors. All rights reserved.
"""DOTA v1.0 / v1.5 (official layout) -> horizontal-box COCO json.

Layout (one folder per released split; ``test`` has no labels)::

    SRC_ROOT/train/images/P0000.png   SRC_ROOT/train/labelTxt/P0000.txt
    SRC_ROOT/val/images/...           SRC_ROOT/val/labelTxt/...
    SRC_ROOT/test/images/...

A ``labelTxt`` file may start with ``imagesource:<source>`` and
``gsd:<metres per pixel or null>`` lines (kept as ``imagesource``/``gsd``
keys of the COCO image entry); every other non-blank line is
``x1 y1 x2 y2 x3 y3 x4 y4 class difficult`` (``difficult`` may be
missing: 0). The box is the polygon's bounding rectangle (DOTA
coordinates are continuous pixel coordinates, taken as they are).
``difficult=1`` objects become ``iscrowd=1`` (ignore regions: not
penalised when missed nor when detected) unless ``difficult_as_ignore``
is False, which keeps them as normal objects.
"""
import os.path as osp
from typing import Dict, Optional, Sequence

from mmrsod.utils.errors import InputError
from mmrsod.utils.messages import short_list
from ..dota import DOTADataset, DOTAv15Dataset
from .coco_builder import CocoBuilder
from .file_utils import (IMAGE_EXTS, find_subdir, image_size, index_files,
                         posix_rel)
from .report import ConversionReport, write_json

__all__ = ['convert_dota', 'DOTA_CLASSES']

DOTA_CLASSES = {
    '1.0': DOTADataset.METAINFO['classes'],
    '1.5': DOTAv15Dataset.METAINFO['classes']
}
DOTA_SPLITS = ('train', 'val', 'test')


def _read_label_file(path: str, display: str, classes: Sequence[str],
                     version: str, report: ConversionReport,
                     skip_invalid: bool) -> tuple:
    lookup = {c: i + 1 for i, c in enumerate(classes)}
    meta: Dict[str, object] = {}
    objects = []
    with open(path, encoding='utf-8-sig') as f:
        lines = f.read().splitlines()
    if not any(line.strip() for line in lines):
        report.note('empty annotation file (image kept without boxes)',
                    display)
    for lineno, line in enumerate(lines, start=1):
        where = f'{display}:{lineno}'
        text = line.strip()
        if not text:
            report.note('blank line', where)
            continue
        key = text.split(':', 1)[0].strip().lower()
        if key in ('imagesource', 'gsd') and ':' in text:
            value = text.split(':', 1)[1].strip()
            if key == 'gsd':
                try:
                    value = float(value)
                except ValueError:
                    value = None  # 'null' in the release
            meta[key] = value
            continue
        tokens = text.split()
        problem = None
        if len(tokens) not in (9, 10):
            problem = ('malformed line', f'malformed line {text!r}; expected '
                       '"x1 y1 x2 y2 x3 y3 x4 y4 class difficult"')
        else:
            try:
                coords = [float(v) for v in tokens[:8]]
                difficult = int(tokens[9]) if len(tokens) == 10 else 0
            except ValueError:
                problem = ('malformed line',
                           f'malformed line {text!r}: coordinates and '
                           'difficult must be numbers')
            else:
                if tokens[8] not in lookup:
                    hint = (' (DOTA v1.5 class: pass --version 1.5)'
                            if tokens[8] == 'container-crane'
                            and version == '1.0' else '')
                    problem = ('unknown class',
                               f'unknown class {tokens[8]!r}{hint}')
        if problem is not None:
            report.reject(
                problem[0], where, f'{problem[1]}; fix the file or pass '
                '--skip-invalid to skip such lines', skip_invalid)
            continue
        xs, ys = coords[0::2], coords[1::2]
        objects.append((lookup[tokens[8]], (min(xs), min(ys), max(xs),
                                            max(ys)), difficult, where))
    return meta, objects


def convert_dota(src_root: str,
                 out_dir: str,
                 version: str = '1.0',
                 splits: Optional[Sequence[str]] = None,
                 label_dir: str = 'labelTxt',
                 difficult_as_ignore: bool = True,
                 skip_invalid: bool = False) -> ConversionReport:
    """Convert DOTA's released splits to ``dota_<split>.json``.

    Args:
        src_root (str): Folder holding ``train/``, ``val/`` (and
            ``test/``).
        out_dir (str): Output folder.
        version (str): ``'1.0'`` (15 classes) or ``'1.5'`` (16).
        splits (Sequence[str], optional): Splits to convert; default: those
            of train/val/test that exist.
        label_dir (str): Label folder name inside each split (the v1.5
            labels are distributed separately: put them in a folder of
            each split and name it here). Defaults to ``'labelTxt'``.
            ``train`` and ``val`` must have it; other splits (``test``)
            without it are written as images only.
        difficult_as_ignore (bool): ``difficult=1`` -> ``iscrowd=1``.
        skip_invalid (bool): Skip (and count) malformed lines, unknown
            classes and inverted boxes instead of raising.

    Returns:
        ConversionReport: The report (also written as ``dota_report.json``).
    """
    if version not in DOTA_CLASSES:
        raise InputError(f'--version {version}: expected 1.0 or 1.5')
    if not osp.isdir(src_root):
        raise InputError(f'{src_root}: data set folder does not exist')
    classes = DOTA_CLASSES[version]
    report = ConversionReport('dota')
    if splits is None:
        splits = [s for s in DOTA_SPLITS if osp.isdir(osp.join(src_root, s))]
        if not splits:
            raise InputError(f'{src_root}: no split folder ' +
                             short_list(DOTA_SPLITS) +
                             ' (expected SRC_ROOT/<split>/images)')
    outputs = {}
    for split in splits:
        split_dir = osp.join(src_root, split)
        if not osp.isdir(split_dir):
            raise InputError(f'{split_dir}: split folder does not exist')
        img_dir = find_subdir(split_dir, ['images'])
        lbl_dir = find_subdir(split_dir, [label_dir], required=False)
        images = index_files(img_dir, IMAGE_EXTS)
        labels = index_files(lbl_dir, ('.txt', )) if lbl_dir else {}
        if lbl_dir is None:
            if split in ('train', 'val'):
                raise InputError(f'{split_dir}: no label folder '
                                 f'{label_dir!r} (pass --label-dir NAME)')
            report.note('split without labels (images only)', split)
        builder = CocoBuilder(classes, report, split, skip_invalid)
        for stem in sorted(set(labels) - set(images)):
            report.skip('annotation without image',
                        posix_rel(osp.join(lbl_dir, labels[stem]), src_root))
        for stem in sorted(images):
            img_path = osp.join(img_dir, images[stem])
            file_name = posix_rel(img_path, src_root)
            meta, objects = {}, []
            if lbl_dir is not None:
                if stem not in labels:
                    report.skip('image without annotation file', file_name)
                    continue
                lbl_path = osp.join(lbl_dir, labels[stem])
                meta, objects = _read_label_file(lbl_path,
                                                 posix_rel(lbl_path,
                                                           src_root), classes,
                                                 version, report, skip_invalid)
            width, height = image_size(img_path)
            record = builder.add_image(file_name, width, height, **meta)
            for category, box, difficult, where in objects:
                iscrowd = int(difficult_as_ignore and difficult > 0)
                builder.add_box(record, category, box, where, iscrowd)
        outputs[split] = builder.build()
    for split, coco in outputs.items():
        path = osp.join(out_dir, f'dota_{split}.json')
        write_json(coco, path)
        report.outputs.append(path)
    report.write(out_dir)
    return report

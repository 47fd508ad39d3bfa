# Copyright (c) mmrsod contributors. All rights reserved.
"""ShipRSImageNet (VOC or COCO release) -> COCO json at class level 0..3.

Release layout (README of github.com/zzndream/ShipRSImageNet)::

    SRC_ROOT/VOC_Format/Annotations/<name>.xml
    SRC_ROOT/VOC_Format/ImageSets/{train,val,test}.txt  (image file names)
    SRC_ROOT/VOC_Format/JPEGImages/<name>.bmp
    SRC_ROOT/COCO_Format/ShipRSImageNet_bbox_<split>_level_<L>.json

``SRC_ROOT`` is the release root (``VOC_Format`` may also be given
directly to the VOC reader); COCO ``file_name`` is relative to
``SRC_ROOT`` (``VOC_Format/JPEGImages/<name>.bmp``) in both modes.

* ``source='voc'`` (default): each ``<object>`` carries its class id at
  every level (``<level_0>`` .. ``<level_3>``, 1-based indices into the
  level's class list); the converter uses ``<level_L>`` and, when that
  tag is missing, maps the level-3 ``<name>`` through
  :data:`~mmrsod.datasets.shiprsimagenet.SHIPRS_PARENT`. Boxes follow the
  1-based VOC convention of :mod:`.voc_reader`.
* ``source='coco'``: reads the level-3 COCO files (the official devkit
  writes the 50 level-3 names as ``categories`` at every level, so only
  the level-3 files name their ids correctly) and re-maps each category to
  level ``L`` through the hierarchy. Their ``bbox`` values are kept as the
  release wrote them (the devkit used ``[xmin, ymin, xmax - xmin,
  ymax - ymin]`` of the VOC values, i.e. 1 px right/down of our VOC
  reading).
"""
import json
import os.path as osp
from typing import Optional, Sequence

from mmrsod.utils.errors import InputError
from mmrsod.utils.messages import short_list
from ..shiprsimagenet import SHIPRS_LEVEL_CLASSES, shiprs_map_level3
from .coco_builder import CocoBuilder
from .file_utils import IMAGE_EXTS, find_subdir, index_files, posix_rel
from .report import ConversionReport, write_json
from .voc_converter import convert_voc
from .voc_reader import VocObject

__all__ = ['convert_shiprsimagenet', 'SHIPRS_SPLITS']

SHIPRS_SPLITS = ('train', 'val', 'test')


def _voc_category_of(level: int):
    classes = SHIPRS_LEVEL_CLASSES[level]

    def category_of(obj: VocObject) -> int:
        tag = obj.fields.get(f'level_{level}')
        if tag:
            try:
                value = int(float(tag))
            except ValueError:
                raise KeyError(f'<level_{level}> {tag!r} is not a number')
            if not 1 <= value <= len(classes):
                raise KeyError(f'<level_{level}> {value} is out of range '
                               f'1..{len(classes)}')
            return value
        try:
            return classes.index(shiprs_map_level3(obj.name, level)) + 1
        except KeyError:
            raise KeyError(f'unknown class {obj.name!r} and no '
                           f'<level_{level}> tag') from None

    return category_of


def _convert_coco_release(src_root: str, out_dir: str, level: int,
                          splits: Optional[Sequence[str]],
                          difficult_as_ignore: bool,
                          skip_invalid: bool) -> ConversionReport:
    del difficult_as_ignore  # the COCO release has no difficult flag
    report = ConversionReport('shiprsimagenet')
    coco_dir = find_subdir(src_root, ['COCO_Format'])
    voc_root = find_subdir(src_root, ['VOC_Format'])
    img_dir = find_subdir(voc_root, ['JPEGImages'])
    images_on_disk = set(index_files(img_dir, IMAGE_EXTS).values())
    level3 = SHIPRS_LEVEL_CLASSES[3]
    classes = SHIPRS_LEVEL_CLASSES[level]
    pattern = 'ShipRSImageNet_bbox_{}_level_3.json'
    if splits is None:
        splits = [
            s for s in SHIPRS_SPLITS
            if osp.isfile(osp.join(coco_dir, pattern.format(s)))
        ]
        if not splits:
            raise InputError(
                f'{coco_dir}: none of ' +
                short_list([pattern.format(s)
                            for s in SHIPRS_SPLITS]) + ' exists')
    outputs = {}
    for split in splits:
        path = osp.join(coco_dir, pattern.format(split))
        display = posix_rel(path, src_root)
        if not osp.isfile(path):
            raise InputError(f'{display}: file does not exist')
        try:
            with open(path, encoding='utf-8') as f:
                data = json.load(f)
        except json.JSONDecodeError as err:
            raise InputError(f'{display}:{err.lineno}: not valid json '
                             f'({err.msg})') from None
        id_to_name = {c['id']: c['name'] for c in data.get('categories', [])}
        unknown = sorted(set(id_to_name.values()) - set(level3))
        if unknown:
            raise InputError(f'{display}: categories ' + short_list(unknown) +
                             ' are not ShipRSImageNet level-3 classes '
                             '(use the *_level_3.json files)')
        builder = CocoBuilder(classes, report, split, skip_invalid)
        records = {}
        for image in data.get('images', []):
            where = f'{display}: image id {image.get("id")}'
            name = str(image['file_name'])
            if name not in images_on_disk:
                report.skip('annotation without image', where)
                continue
            records[image['id']] = builder.add_image(
                posix_rel(osp.join(img_dir, name), src_root), image['width'],
                image['height'], where)
        for ann in data.get('annotations', []):
            where = f'{display}: annotation id {ann.get("id")}'
            if ann.get('image_id') not in records:
                report.skip('box of a skipped or unknown image', where)
                continue
            if ann.get('category_id') not in id_to_name:
                report.reject(
                    'unknown class', where,
                    f'category id {ann.get("category_id")} is not in '
                    'categories; pass --skip-invalid to skip such boxes',
                    skip_invalid)
                continue
            target = shiprs_map_level3(id_to_name[ann['category_id']], level)
            x, y, w, h = (float(v) for v in ann['bbox'])
            builder.add_box(records[ann['image_id']],
                            classes.index(target) + 1, (x, y, x + w, y + h),
                            where, int(ann.get('iscrowd', 0)))
        outputs[split] = builder.build()
    for split, coco in outputs.items():
        path = osp.join(out_dir, f'shiprsimagenet_{split}.json')
        write_json(coco, path)
        report.outputs.append(path)
    report.write(out_dir)
    return report


def convert_shiprsimagenet(src_root: str,
                           out_dir: str,
                           level: int = 3,
                           source: str = 'voc',
                           splits: Optional[Sequence[str]] = None,
                           difficult_as_ignore: bool = True,
                           skip_invalid: bool = False) -> ConversionReport:
    """Convert ShipRSImageNet to ``shiprsimagenet_<split>.json``.

    Args:
        src_root (str): The release root (holding ``VOC_Format`` and/or
            ``COCO_Format``).
        out_dir (str): Output folder.
        level (int): Class level 0..3 (2, 4, 25 or 50 classes).
            Defaults to 3.
        source (str): ``'voc'`` or ``'coco'`` release. Defaults to 'voc'.
        splits (Sequence[str], optional): Splits to convert (default:
            those of train/val/test that exist).
        difficult_as_ignore (bool): VOC ``difficult=1`` -> ``iscrowd=1``.
        skip_invalid (bool): Skip (and count) invalid objects.

    Returns:
        ConversionReport: The report.
    """
    if level not in SHIPRS_LEVEL_CLASSES:
        raise InputError(f'--level {level}: expected 0, 1, 2 or 3')
    if source not in ('voc', 'coco'):
        raise InputError(f'--source {source}: expected voc or coco')
    if not osp.isdir(src_root):
        raise InputError(f'{src_root}: data set folder does not exist')
    if source == 'coco':
        return _convert_coco_release(src_root, out_dir, level, splits,
                                     difficult_as_ignore, skip_invalid)
    voc_root = find_subdir(src_root, ['VOC_Format'], required=False)
    return convert_voc(
        voc_root or src_root,
        out_dir,
        'shiprsimagenet',
        SHIPRS_LEVEL_CLASSES[level],
        _voc_category_of(level),
        splits=splits,
        official_splits=SHIPRS_SPLITS,
        image_root=src_root,
        difficult_as_ignore=difficult_as_ignore,
        skip_invalid=skip_invalid)

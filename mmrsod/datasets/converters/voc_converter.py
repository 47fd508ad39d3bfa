# Copyright (c) mmrsod contributors. All rights reserved.
"""Convert a Pascal-VOC-layout data set with official split lists to COCO.

Shared by HRRSD, ShipRSImageNet (VOC release) and SAR-AIRcraft-1.0::

    VOC_ROOT/Annotations/<stem>.xml
    VOC_ROOT/ImageSets/Main/<split>.txt   (or ImageSets/<split>.txt)
    VOC_ROOT/JPEGImages/<stem>.<jpg|png|bmp|tif>

Handling (all counted in the report, see ``README.md`` of the tools):

* a split-list entry without its XML -> skipped
  (``listed image without annotation file``), with its image missing ->
  skipped (``annotation without image``);
* images in ``JPEGImages`` with no XML -> counted
  (``image without annotation file``), XMLs listed in no converted split ->
  counted as a note;
* image sizes come from ``<size>``; when it is missing or zero the image
  header is read (noted);
* an XML without objects gives an image with no boxes (noted);
* an unknown class name is an error naming ``file:line`` (or skipped and
  counted with ``skip_invalid``);
* ``<difficult>1</difficult>`` -> ``iscrowd=1`` (an ignore region) unless
  ``difficult_as_ignore=False``.
"""
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence

from mmrsod.utils.errors import InputError
from mmrsod.utils.messages import short_list
from .coco_builder import CocoBuilder
from .file_utils import (IMAGE_EXTS, find_subdir, image_size, index_files,
                         posix_rel)
from .report import ConversionReport, write_json
from .voc_reader import VocObject, read_voc_xml, voc_box_to_corners

__all__ = ['convert_voc', 'read_split_list', 'category_by_name']

CategoryOf = Callable[[VocObject], int]


def read_split_list(path: str, report: ConversionReport,
                    display: str) -> List[tuple]:
    """Read a VOC split list: one image stem (or file name) per line.

    Blank lines are noted and ignored; a repeated entry is noted and read
    once.

    Returns:
        list[tuple[str, str]]: ``(stem, 'file:line')`` in file order.
    """
    entries, seen = [], set()
    with open(path, encoding='utf-8') as f:
        for lineno, line in enumerate(f, start=1):
            text = line.strip()
            where = f'{display}:{lineno}'
            if not text:
                report.note('blank line', where)
                continue
            stem, ext = osp.splitext(text)
            if ext.lower() not in IMAGE_EXTS + ('.xml', ):
                stem = text
            if stem in seen:
                report.note('repeated split-list entry', where)
                continue
            seen.add(stem)
            entries.append((stem, where))
    return entries


def convert_voc(voc_root: str,
                out_dir: str,
                name: str,
                classes: Sequence[str],
                category_of: CategoryOf,
                splits: Optional[Sequence[str]] = None,
                official_splits: Sequence[str] = ('train', 'val', 'test'),
                image_root: Optional[str] = None,
                difficult_as_ignore: bool = True,
                skip_invalid: bool = False,
                report: Optional[ConversionReport] = None) -> ConversionReport:
    """Convert every split list of a VOC-layout data set to a COCO json.

    Args:
        voc_root (str): The folder holding ``Annotations``, ``ImageSets``
            and ``JPEGImages``.
        out_dir (str): Where ``<name>_<split>.json`` and
            ``<name>_report.json`` are written.
        name (str): Data set name used in the output file names.
        classes (Sequence[str]): Class names (category ``i + 1``).
        category_of (Callable): ``VocObject -> category id``; raises
            ``KeyError(message)`` for an unknown class.
        splits (Sequence[str], optional): Splits to convert; default: the
            ``official_splits`` whose list file exists.
        official_splits (Sequence[str]): The data set's split names.
        image_root (str, optional): Folder that COCO ``file_name`` is
            relative to. Defaults to ``voc_root``.
        difficult_as_ignore (bool): ``difficult=1`` -> ``iscrowd=1``.
        skip_invalid (bool): Skip and count invalid objects and unknown
            classes instead of raising.
        report (ConversionReport, optional): Report to fill.

    Returns:
        ConversionReport: The filled report (also written to ``out_dir``).
    """
    if not osp.isdir(voc_root):
        raise InputError(f'{voc_root}: data set folder does not exist')
    image_root = image_root or voc_root
    report = report or ConversionReport(name)

    def shown(path: str) -> str:  # paths in messages: relative to SRC_ROOT
        return posix_rel(path, image_root)

    ann_dir = find_subdir(voc_root, ['Annotations'])
    img_dir = find_subdir(voc_root, ['JPEGImages'])
    sets_dir = find_subdir(voc_root, ['ImageSets/Main', 'ImageSets'])
    images = index_files(img_dir, IMAGE_EXTS)
    xmls = index_files(ann_dir, ('.xml', ))
    if splits is None:
        splits = [
            s for s in official_splits
            if osp.isfile(osp.join(sets_dir, f'{s}.txt'))
        ]
        if not splits:
            raise InputError(f'{sets_dir}: none of the split lists ' +
                             short_list([f'{s}.txt'
                                         for s in official_splits]) +
                             ' exists')
    for split in splits:
        if not osp.isfile(osp.join(sets_dir, f'{split}.txt')):
            raise InputError(f'{sets_dir}: split list {split}.txt does not '
                             'exist')

    for stem in sorted(set(images) - set(xmls)):
        report.skip('image without annotation file',
                    shown(osp.join(img_dir, images[stem])))
    listed = set()
    outputs: Dict[str, dict] = {}
    for split in splits:
        list_path = osp.join(sets_dir, f'{split}.txt')
        builder = CocoBuilder(classes, report, split, skip_invalid)
        for stem, where in read_split_list(list_path, report,
                                           shown(list_path)):
            listed.add(stem)
            if stem not in xmls:
                report.skip('listed image without annotation file', where)
                continue
            xml_path = osp.join(ann_dir, xmls[stem])
            xml_display = shown(xml_path)
            if stem not in images:
                report.skip('annotation without image', xml_display)
                continue
            img_path = osp.join(img_dir, images[stem])
            ann = read_voc_xml(xml_path, report, xml_display, skip_invalid)
            width, height = ann.width, ann.height
            if not width or not height:
                width, height = image_size(img_path)
                report.note('size read from the image header', xml_display)
            record = builder.add_image(
                posix_rel(img_path, image_root), width, height, xml_display)
            if not ann.objects:
                report.note('annotation file without objects', xml_display)
            for obj in ann.objects:
                try:
                    category = category_of(obj)
                except KeyError as err:
                    message = err.args[0] if err.args else str(err)
                    report.reject(
                        'unknown class', obj.where, f'{message}; pass '
                        '--skip-invalid to skip such objects', skip_invalid)
                    continue
                iscrowd = int(difficult_as_ignore and obj.difficult > 0)
                builder.add_box(record, category, voc_box_to_corners(obj.box),
                                obj.where, iscrowd)
        outputs[split] = builder.build()
    for stem in sorted(set(xmls) - listed):
        report.note('annotation in no converted split list',
                    shown(osp.join(ann_dir, xmls[stem])))
    for split, coco in outputs.items():
        path = osp.join(out_dir, f'{name}_{split}.json')
        write_json(coco, path)
        report.outputs.append(path)
    report.write(out_dir)
    return report


def category_by_name(classes: Sequence[str]) -> CategoryOf:
    """``category_of`` that maps ``<name>`` to its 1-based class index.

    Args:
        classes (Sequence[str]): The class names, matched exactly.
    """
    lookup = {c: i + 1 for i, c in enumerate(classes)}

    def category_of(obj: VocObject) -> int:
        if obj.name not in lookup:
            raise KeyError(f'unknown class {obj.name!r} (expected one of '
                           f'{short_list(list(classes), 16)})')
        return lookup[obj.name]

    return category_of

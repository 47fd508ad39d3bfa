# Copyright (c) mmrsod contributors. All rights reserved.
"""A small COCO json builder shared by the detection data set converters.

Every converter turns its source annotations into boxes in continuous
corner coordinates ``(x1, y1, x2, y2)`` (pixel ``i`` covers ``[i, i + 1)``)
and hands them to :class:`CocoBuilder`, which applies the common checks and
writes the COCO dict of the interface contract:

* images: ``id`` (from 1, in sorted ``file_name`` order), ``file_name``
  (relative to the image root, POSIX separators), ``width``, ``height``;
* annotations: ``id``, ``image_id``, ``category_id`` (1..K in the data set
  class order), ``bbox = [x, y, w, h]``, ``area = w * h``, ``iscrowd``;
* categories: ``id``, ``name`` (the data set class names exactly).

Box checks (the same for all data sets; see
``tools/dataset_converters/README.md``):

* inverted corners (``x2 < x1`` or ``y2 < y1``) are an error
  (:class:`~mmrsod.utils.InputError` naming file and line) unless the
  converter runs with ``skip_invalid=True``, which skips and counts them;
* a box partly outside its image is clipped to the image and counted
  (``clipped to the image``);
* a box with zero area (after clipping, which includes boxes wholly
  outside the image) is dropped and counted.
"""
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from mmrsod.utils.errors import InputError

__all__ = ['CocoBuilder', 'ImageRecord', 'BoxRecord']


@dataclass
class BoxRecord:
    """One box of an image, in continuous corner coordinates."""
    category_id: int
    x1: float
    y1: float
    x2: float
    y2: float
    iscrowd: int = 0


@dataclass
class ImageRecord:
    """One image and its boxes before ids are assigned."""
    file_name: str
    width: int
    height: int
    boxes: List[BoxRecord] = field(default_factory=list)
    extra: Dict[str, object] = field(default_factory=dict)


class CocoBuilder:
    """Collect images and boxes of one split and build its COCO dict.

    Args:
        classes (Sequence[str]): Class names; class ``i`` (0-based) becomes
            COCO category ``i + 1``.
        report (ConversionReport): Where dropped, clipped and skipped items
            are counted (see :mod:`.report`).
        split (str): The split name, used for the per-split counts.
        skip_invalid (bool): Skip (and count) inverted boxes instead of
            raising. Defaults to False.
    """

    def __init__(self,
                 classes: Sequence[str],
                 report,
                 split: str,
                 skip_invalid: bool = False) -> None:
        self.classes = tuple(classes)
        self.report = report
        self.split = split
        self.skip_invalid = skip_invalid
        self.images: Dict[str, ImageRecord] = {}

    def add_image(self,
                  file_name: str,
                  width: int,
                  height: int,
                  where: str = '',
                  **extra) -> ImageRecord:
        """Register an image (its boxes are added with :meth:`add_box`).

        Args:
            file_name (str): Path relative to the image root (POSIX).
            width (int): Image width in pixels (> 0).
            height (int): Image height in pixels (> 0).
            where (str): Where the size came from, for error messages.
            **extra: Extra keys stored in the COCO image entry.

        Returns:
            ImageRecord: The record to add boxes to.
        """
        if int(width) <= 0 or int(height) <= 0:
            raise InputError(f'{where or file_name}: image size '
                             f'{width}x{height} is not positive')
        if file_name in self.images:
            raise InputError(f'{where or file_name}: image {file_name!r} '
                             f'appears twice in split {self.split!r}')
        record = ImageRecord(file_name, int(width), int(height), extra=extra)
        self.images[file_name] = record
        return record

    def add_box(self,
                image: ImageRecord,
                category_id: int,
                box: Tuple[float, float, float, float],
                where: str,
                iscrowd: int = 0) -> Optional[BoxRecord]:
        """Check, clip and add one box.

        Args:
            image (ImageRecord): The image the box belongs to.
            category_id (int): COCO category id (1..K).
            box (tuple[float]): ``(x1, y1, x2, y2)`` in continuous pixel
                coordinates.
            where (str): ``file:line`` of the box, for messages.
            iscrowd (int): 1 marks an ignore region. Defaults to 0.

        Returns:
            BoxRecord | None: The stored box, or None when it was dropped
            (the reason is counted in the report).
        """
        if not 1 <= category_id <= len(self.classes):
            raise InputError(f'{where}: category id {category_id} is out of '
                             f'range 1..{len(self.classes)}')
        x1, y1, x2, y2 = (float(v) for v in box)
        if x2 < x1 or y2 < y1:
            self.report.reject(
                'inverted box corners', where,
                f'inverted box corners (x1, y1, x2, y2) = ({x1:g}, {y1:g}, '
                f'{x2:g}, {y2:g}); fix the file or pass --skip-invalid to '
                'skip such boxes', self.skip_invalid)
            return None
        cx1 = min(max(x1, 0.0), image.width)
        cy1 = min(max(y1, 0.0), image.height)
        cx2 = min(max(x2, 0.0), image.width)
        cy2 = min(max(y2, 0.0), image.height)
        if cx2 - cx1 <= 0 or cy2 - cy1 <= 0:
            reason = ('zero-area box' if
                      (x2 - x1) * (y2 - y1) == 0 else 'box outside the image')
            self.report.skip(reason, where)
            return None
        if (cx1, cy1, cx2, cy2) != (x1, y1, x2, y2):
            self.report.note('box clipped to the image', where)
        record = BoxRecord(category_id, cx1, cy1, cx2, cy2, int(iscrowd))
        image.boxes.append(record)
        return record

    def build(self) -> dict:
        """Return the COCO dict; ids follow the sorted ``file_name`` order.

        Also records the per-split image and per-class box counts in the
        report.
        """
        images, annotations = [], []
        counts = [0] * len(self.classes)
        crowd = 0
        for image_id, name in enumerate(sorted(self.images), start=1):
            record = self.images[name]
            entry = dict(
                id=image_id,
                file_name=record.file_name,
                width=record.width,
                height=record.height)
            entry.update(record.extra)
            images.append(entry)
            for box in record.boxes:
                w, h = box.x2 - box.x1, box.y2 - box.y1
                annotations.append(
                    dict(
                        id=len(annotations) + 1,
                        image_id=image_id,
                        category_id=box.category_id,
                        bbox=[box.x1, box.y1, w, h],
                        area=w * h,
                        iscrowd=box.iscrowd))
                counts[box.category_id - 1] += 1
                crowd += box.iscrowd
        self.report.add_split(self.split, len(images),
                              dict(zip(self.classes, counts)), crowd)
        return dict(
            images=images,
            annotations=annotations,
            categories=[
                dict(id=i + 1, name=name)
                for i, name in enumerate(self.classes)
            ])

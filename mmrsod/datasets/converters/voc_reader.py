# Copyright (c) mmrsod contributors. All rights reserved.
"""Pascal VOC XML reader shared by the HRRSD, ShipRSImageNet and
SAR-AIRcraft-1.0 converters.

The XML is parsed with :mod:`xml.parsers.expat` so that every element keeps
its line number: errors and skipped objects are reported as
``Annotations/00001.xml:23``.

Box convention: VOC ``<bndbox>`` values are 1-based, inclusive pixel
indices (``xmin = 1`` is the first column, a box with ``xmin == xmax`` is
one pixel wide). :func:`voc_box_to_corners` turns them into the continuous
corner coordinates of the COCO files, ``(xmin - 1, ymin - 1, xmax, ymax)``,
so ``w = xmax - xmin + 1``. A box written 0-based by its annotator
(``xmin = 0``) thus starts at -1 and is clipped to the image (counted in
the summary).
"""
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple
from xml.parsers import expat

from mmrsod.utils.errors import InputError

__all__ = [
    'VocAnnotation', 'VocObject', 'read_voc_xml', 'voc_box_to_corners',
    'relative_display'
]


@dataclass
class _Node:
    tag: str
    line: int
    text: str = ''
    children: List['_Node'] = field(default_factory=list)

    def find(self, tag: str) -> Optional['_Node']:
        for child in self.children:
            if child.tag == tag:
                return child
        return None

    def findtext(self, tag: str) -> Optional[str]:
        node = self.find(tag)
        return None if node is None else node.text.strip()


@dataclass
class VocObject:
    """One ``<object>`` of a VOC file.

    Attributes:
        name (str): ``<name>``, stripped.
        box (tuple[float]): ``(xmin, ymin, xmax, ymax)`` as written
            (1-based inclusive).
        difficult (int): ``<difficult>`` (0 when absent).
        fields (dict[str, str]): Text of the other simple children
            (e.g. ShipRSImageNet's ``level_0`` .. ``level_3``).
        where (str): ``file:line`` of the ``<object>`` element.
    """
    name: str
    box: Tuple[float, float, float, float]
    difficult: int
    fields: Dict[str, str]
    where: str


@dataclass
class VocAnnotation:
    """A parsed VOC annotation file.

    Attributes:
        path (str): The XML file.
        filename (str | None): ``<filename>``.
        width (int | None): ``<size><width>``.
        height (int | None): ``<size><height>``.
        objects (list[VocObject]): The valid objects, in file order.
    """
    path: str
    filename: Optional[str]
    width: Optional[int]
    height: Optional[int]
    objects: List[VocObject]


def _parse_tree(path: str, display: str) -> _Node:
    parser = expat.ParserCreate()
    root = _Node('', 0)
    stack = [root]

    def start(tag, attrs):
        node = _Node(tag, parser.CurrentLineNumber)
        stack[-1].children.append(node)
        stack.append(node)

    def end(tag):
        stack.pop()

    def chars(data):
        stack[-1].text += data

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        with open(path, 'rb') as f:
            data = f.read()
        if not data.strip():
            raise InputError(f'{display}: empty annotation file')
        parser.Parse(data, True)
    except expat.ExpatError as err:
        raise InputError(f'{display}:{err.lineno}: not valid XML '
                         f'({expat.ErrorString(err.code)})') from None
    if not root.children or root.children[0].tag != 'annotation':
        raise InputError(f'{display}: root element is not <annotation>')
    return root.children[0]


def _int_or_none(text: Optional[str]) -> Optional[int]:
    if text is None or text == '':
        return None
    return int(float(text))


def read_voc_xml(path: str,
                 report,
                 display: Optional[str] = None,
                 skip_invalid: bool = False) -> VocAnnotation:
    """Read one VOC XML file.

    An object without a ``<name>`` or a complete numeric ``<bndbox>`` is
    an error naming ``file:line``, or with ``skip_invalid`` is skipped and
    counted as ``'invalid object'``. An XML error or an empty file is
    always an error (the image would silently lose all its boxes).

    Args:
        path (str): The XML file.
        report (ConversionReport): Collects skipped objects.
        display (str, optional): The name used in messages (defaults to
            ``path``).
        skip_invalid (bool): Skip invalid objects instead of raising.

    Returns:
        VocAnnotation: The parsed file (``width``/``height`` are None when
        ``<size>`` is missing).
    """
    display = display or path
    root = _parse_tree(path, display)
    size = root.find('size')
    try:
        width = _int_or_none(
            size.findtext('width')) if size is not None else None
        height = _int_or_none(
            size.findtext('height')) if size is not None else None
    except ValueError:
        raise InputError(f'{display}:{size.line}: <size> is not numeric')
    objects = []
    for node in root.children:
        if node.tag != 'object':
            continue
        where = f'{display}:{node.line}'
        name = node.findtext('name')
        bndbox = node.find('bndbox')
        problem = None
        box = None
        if not name:
            problem = 'object without <name>'
        elif bndbox is None:
            problem = 'object without <bndbox>'
        else:
            try:
                box = tuple(
                    float(bndbox.findtext(k))
                    for k in ('xmin', 'ymin', 'xmax', 'ymax'))
            except (TypeError, ValueError):
                problem = '<bndbox> without 4 numeric xmin/ymin/xmax/ymax'
        if problem is not None:
            report.reject(
                'invalid object', where, f'{problem}; fix the file or pass '
                '--skip-invalid to skip such objects', skip_invalid)
            continue
        difficult_text = node.findtext('difficult')
        try:
            difficult = int(float(difficult_text)) if difficult_text else 0
        except ValueError:
            raise InputError(f'{where}: <difficult> is not a number')
        fields = {
            child.tag: child.text.strip()
            for child in node.children if not child.children
        }
        objects.append(VocObject(name, box, difficult, fields, where))
    return VocAnnotation(
        path=path,
        filename=root.findtext('filename'),
        width=width,
        height=height,
        objects=objects)


def voc_box_to_corners(
    box: Tuple[float, float, float,
               float]) -> Tuple[float, float, float, float]:
    """Map a 1-based inclusive VOC box to continuous corners.

    Args:
        box (tuple[float]): ``(xmin, ymin, xmax, ymax)`` as in the XML.

    Returns:
        tuple[float]: ``(xmin - 1, ymin - 1, xmax, ymax)``.
    """
    xmin, ymin, xmax, ymax = box
    return xmin - 1.0, ymin - 1.0, xmax, ymax


def relative_display(path: str, root: str) -> str:
    """``path`` relative to ``root`` (POSIX) for messages."""
    return osp.relpath(path, root).replace(osp.sep, '/')

# Copyright (c) mmrsod contributors. All rights reserved.
"""Small generated copies of the official detection data set layouts.

For the converter tests (and other helpers' tests): each ``make_*``
function writes a tiny copy of a release's folder layout with a known
content (returned as a spec, so a test can compare a converter's output
with it) and, with ``variant=...``, one kind of bad input from the
issue's list. Images are small solid-colour files of the stated size;
folder names keep the official spaces (``positive image set``).

Functions:

* :func:`make_nwpu_vhr10` (``NWPU_VARIANTS``),
* :func:`make_dota` (``DOTA_VARIANTS``),
* :func:`make_voc` for ``'hrrsd'``, ``'sar_aircraft'`` and
  ``'shiprsimagenet'`` (``VOC_VARIANTS``),
* :func:`make_shiprs_coco` (the ShipRSImageNet COCO release, level 3).
"""
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

from PIL import Image

__all__ = [
    'write_image', 'make_nwpu_vhr10', 'make_dota', 'make_voc',
    'make_shiprs_coco', 'NWPU_VARIANTS', 'DOTA_VARIANTS', 'VOC_VARIANTS',
    'VOC_CLASSES'
]

Size = Tuple[int, int]


def write_image(path: str, size: Size, value: int = 90) -> None:
    """Write a solid RGB image of ``size`` = (width, height); the format
    follows the extension (jpg, png, bmp)."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    Image.new('RGB', tuple(size), (value, value // 2, 255 - value)).save(path)


def _write(path: str, text: str) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)


# --------------------------------------------------------------- NWPU VHR-10
#: Bad inputs of :func:`make_nwpu_vhr10`; the bad line is line 2 of
#: ``ground truth/001.txt`` (its image is 64 x 42).
NWPU_VARIANTS = {
    'malformed_line': '(3,4),(13,12)',
    'inverted_corners': '(30,20),(10,10),1',
    'zero_area': '(10,10),(10,30),2',
    'class_out_of_range': '(1,1),(5,5),11',
    'outside_image': '(50,30),(90,60),3',
    'wholly_outside': '(70,50),(90,60),3',
    'blank_lines': '',
    'empty_file': None,
    'annotation_without_image': None,
    'image_without_annotation': None,
}


def make_nwpu_vhr10(root: str,
                    variant: Optional[str] = None,
                    num_positive: int = 10,
                    num_negative: int = 3) -> dict:
    """Write ``root/NWPU VHR-10 dataset`` in the official layout.

    Positive image ``k`` (``{k:03d}.jpg``, k = 1..num_positive) is
    ``(60 + 4k) x (40 + 2k)`` and holds the box ``(k, 2k), (k + 10, 2k + 8)``
    of class ``(k - 1) % 10 + 1``, plus, for even ``k``, the box
    ``(1, 1), (5, 6)`` of class 1. Negative image ``k`` is ``48 x 40``.

    Args:
        root (str): Parent folder.
        variant (str, optional): One key of :data:`NWPU_VARIANTS`.
        num_positive (int): Positive images. Defaults to 10.
        num_negative (int): Negative images (0: no negative folder).

    Returns:
        dict: ``root`` (the data set folder), ``images`` (file_name ->
        (w, h)), ``boxes`` (file_name -> list of (x1, y1, x2, y2, class))
        for the valid content.
    """
    base = osp.join(root, 'NWPU VHR-10 dataset')
    images, boxes = {}, {}
    for k in range(1, num_positive + 1):
        size = (60 + 4 * k, 40 + 2 * k)
        name = f'positive image set/{k:03d}.jpg'
        items = [(k, 2 * k, k + 10, 2 * k + 8, (k - 1) % 10 + 1)]
        if k % 2 == 0:
            items.append((1, 1, 5, 6, 1))
        images[name], boxes[name] = size, items
        write_image(osp.join(base, name), size)
        lines = [f'({a},{b}),({c},{d}),{e}' for a, b, c, d, e in items]
        if k == 1 and variant in NWPU_VARIANTS and variant not in (
                'empty_file', 'annotation_without_image',
                'image_without_annotation'):
            lines.append(NWPU_VARIANTS[variant])
            if variant == 'blank_lines':
                lines += ['   ', '']
        text = '\n'.join(lines) + '\n'
        if k == 1 and variant == 'empty_file':
            text = ''
        _write(osp.join(base, 'ground truth', f'{k:03d}.txt'), text)
    for k in range(1, num_negative + 1):
        name = f'negative image set/{k:03d}.jpg'
        images[name], boxes[name] = (48, 40), []
        write_image(osp.join(base, name), (48, 40))
    if variant == 'annotation_without_image':
        os.remove(osp.join(base, 'positive image set', '002.jpg'))
    if variant == 'image_without_annotation':
        os.remove(osp.join(base, 'ground truth', '002.txt'))
    if variant is not None and variant not in NWPU_VARIANTS:
        raise ValueError(f'unknown NWPU variant {variant!r}')
    return dict(root=base, images=images, boxes=boxes)


# ---------------------------------------------------------------------- DOTA
#: Bad inputs of :func:`make_dota`; the bad line is line 5 of
#: ``train/labelTxt/P0001.txt`` (image 100 x 80).
DOTA_VARIANTS = {
    'malformed_line': '10 10 20 10 20 20 small-vehicle 0',
    'unknown_class': '10 10 20 10 20 20 10 20 car 0',
    'container_crane_v10': '10 10 20 10 20 20 10 20 container-crane 0',
    'zero_area': '10 10 10 10 10 30 10 30 ship 0',
    'outside_image': '90 70 120 70 120 90 90 90 ship 0',
    'blank_lines': '',
    'empty_file': None,
    'annotation_without_image': None,
    'image_without_annotation': None,
}

_DOTA_FILES = {
    'train': {
        'P0001': ((100, 80), [
            ('plane', [10, 12, 40, 12, 40, 30, 10, 30], 0),
            ('ship', [50.5, 40, 60, 45, 55, 60, 45.5, 55], 1),
        ]),
        'P0002': ((64, 64), [('storage-tank', [1, 2, 9, 2, 9, 10, 1, 10], 0)]),
    },
    'val': {
        'P0003': ((90, 70), [('helicopter', [5, 5, 25, 5, 25, 15, 5, 15], 0),
                             ('harbor', [30, 30, 60, 30, 60, 50, 30, 50], 0)]),
    },
    'test': {
        'P0004': ((50, 50), None),
    },
}


def make_dota(root: str, variant: Optional[str] = None) -> dict:
    """Write ``root/DOTA`` with ``train``/``val``/``test`` split folders.

    Returns:
        dict: ``root`` and ``files`` (split -> stem -> ((w, h), objects or
        None)), objects as (class, 8 coordinates, difficult).
    """
    if variant is not None and variant not in DOTA_VARIANTS:
        raise ValueError(f'unknown DOTA variant {variant!r}')
    base = osp.join(root, 'DOTA')
    for split, files in _DOTA_FILES.items():
        for stem, (size, objects) in files.items():
            write_image(osp.join(base, split, 'images', f'{stem}.png'), size)
            if objects is None:
                continue
            lines = [
                'imagesource:GoogleEarth',
                'gsd:0.5' if stem != 'P0002' else 'gsd:null'
            ]
            lines += [
                ' '.join(f'{v:g}' for v in coords) + f' {name} {diff}'
                for name, coords, diff in objects
            ]
            if stem == 'P0001' and variant in DOTA_VARIANTS and \
                    DOTA_VARIANTS[variant] is not None:
                lines.append(DOTA_VARIANTS[variant])
                if variant == 'blank_lines':
                    lines += ['  ', '']
            text = '\n'.join(lines) + '\n'
            if stem == 'P0001' and variant == 'empty_file':
                text = ''
            _write(osp.join(base, split, 'labelTxt', f'{stem}.txt'), text)
    if variant == 'annotation_without_image':
        os.remove(osp.join(base, 'train', 'images', 'P0002.png'))
    if variant == 'image_without_annotation':
        os.remove(osp.join(base, 'train', 'labelTxt', 'P0002.txt'))
    return dict(root=base, files=_DOTA_FILES)


# ----------------------------------------------------------------------- VOC
#: Class names used in the generated VOC copies.
VOC_CLASSES = {
    'hrrsd': ('T junction', 'ship', 'parking lot'),
    'sar_aircraft': ('A320/321', 'Boeing787', 'other'),
    'shiprsimagenet': ('Nimitz', 'Container Ship', 'Dock'),
}

#: Bad inputs of :func:`make_voc`; the bad object is the last ``<object>``
#: of the first training XML (image 120 x 90).
VOC_VARIANTS = (
    'invalid_xml',
    'missing_bndbox',
    'unknown_class',
    'inverted_corners',
    'zero_area',
    'outside_image',
    'no_objects',
    'missing_size',
    'blank_lines',
    'listed_without_annotation',
    'annotation_without_image',
    'image_without_annotation',
)

# level ids of the ShipRSImageNet classes above (level 0, 1, 2, 3)
_SHIPRS_LEVELS = {
    'Nimitz': (1, 2, 4, 6),
    'Container Ship': (1, 3, 13, 38),
    'Dock': (2, 4, 25, 50),
}


def _voc_object(name: str, box: Sequence[float], difficult: int,
                dataset: str) -> str:
    extra = ''
    if dataset == 'shiprsimagenet' and name in _SHIPRS_LEVELS:
        extra = ''.join(f'\t\t<level_{i}>{v}</level_{i}>\n'
                        for i, v in enumerate(_SHIPRS_LEVELS[name]))
    coords = ''.join(f'\t\t\t<{k}>{v:g}</{k}>\n'
                     for k, v in zip(('xmin', 'ymin', 'xmax', 'ymax'), box))
    return (f'\t<object>\n\t\t<name>{name}</name>\n'
            f'\t\t<difficult>{difficult}</difficult>\n{extra}'
            f'\t\t<bndbox>\n{coords}\t\t</bndbox>\n\t</object>\n')


def make_voc(root: str, dataset: str, variant: Optional[str] = None) -> dict:
    """Write a VOC-layout copy of HRRSD, SAR-AIRcraft-1.0 or
    ShipRSImageNet (``VOC_Format``) under ``root``.

    Content (class names from :data:`VOC_CLASSES` ``[dataset]`` = c0, c1,
    c2; boxes 1-based inclusive as in VOC):

    * train: ``img01`` 120 x 90: c0 (11, 21, 40, 50), c1 (1, 1, 10, 5)
      difficult; ``img02`` 64 x 48: c2 (5, 6, 64, 48);
    * val (not for sar_aircraft): ``img03`` 80 x 60: c1 (2, 3, 30, 40);
    * test: ``img04`` 100 x 100: c2 (50, 50, 60, 70), c0 (1, 1, 1, 1).

    Returns:
        dict: ``root`` (SRC_ROOT for the converter), ``voc_root``,
        ``splits`` (split -> list of (stem, (w, h), objects)), objects as
        (name, (xmin, ymin, xmax, ymax), difficult), and ``ext``.
    """
    if dataset not in VOC_CLASSES:
        raise ValueError(f'unknown VOC data set {dataset!r}')
    if variant is not None and variant not in VOC_VARIANTS:
        raise ValueError(f'unknown VOC variant {variant!r}')
    c0, c1, c2 = VOC_CLASSES[dataset]
    splits: Dict[str, List[tuple]] = {
        'train': [('img01', (120, 90), [(c0, (11, 21, 40, 50), 0),
                                        (c1, (1, 1, 10, 5), 1)]),
                  ('img02', (64, 48), [(c2, (5, 6, 64, 48), 0)])],
        'val': [('img03', (80, 60), [(c1, (2, 3, 30, 40), 0)])],
        'test': [('img04', (100, 100), [(c2, (50, 50, 60, 70), 0),
                                        (c0, (1, 1, 1, 1), 0)])],
    }
    if dataset == 'sar_aircraft':
        del splits['val']
    if dataset == 'hrrsd':
        base = osp.join(root, 'TGRS-HRRSD-Dataset')
        voc_root, sets_dir, ext = osp.join(base, 'OPT2017'), 'Main', '.jpg'
    elif dataset == 'shiprsimagenet':
        base = osp.join(root, 'ShipRSImageNet')
        voc_root, sets_dir, ext = osp.join(base, 'VOC_Format'), '', '.bmp'
    else:
        base = osp.join(root, 'SAR-AIRcraft-1.0')
        voc_root, sets_dir, ext = base, 'Main', '.jpg'
    bad = {
        'missing_bndbox': f'\t<object>\n\t\t<name>{c0}</name>\n\t</object>\n',
        'unknown_class': _voc_object('submarine-x', (1, 1, 5, 5), 0, dataset),
        'inverted_corners': _voc_object(c0, (40, 30, 10, 10), 0, dataset),
        'zero_area': _voc_object(c0, (10, 10, 9, 30), 0, dataset),
        'outside_image': _voc_object(c1, (100, 80, 130, 95), 0, dataset),
    }
    for split, items in splits.items():
        entries = []
        for i, (stem, size, objects) in enumerate(items):
            entries.append(stem + ext if dataset == 'shiprsimagenet' else stem)
            first = split == 'train' and i == 0
            if not (first and variant in ('annotation_without_image',
                                          'listed_without_annotation')):
                write_image(osp.join(voc_root, 'JPEGImages', stem + ext), size)
            if first and variant == 'listed_without_annotation':
                continue
            body = ''.join(
                _voc_object(n, b, d, dataset) for n, b, d in objects)
            if first and variant in bad:
                body += bad[variant]
            if first and variant == 'no_objects':
                body = ''
            size_xml = (f'\t<size>\n\t\t<width>{size[0]}</width>\n'
                        f'\t\t<height>{size[1]}</height>\n'
                        '\t\t<depth>3</depth>\n\t</size>\n')
            if first and variant == 'missing_size':
                size_xml = ''
            text = (f'<annotation>\n\t<folder>{dataset}</folder>\n'
                    f'\t<filename>{stem}{ext}</filename>\n{size_xml}'
                    f'\t<segmented>0</segmented>\n{body}</annotation>\n')
            if first and variant == 'invalid_xml':
                text = text.replace('</segmented>', '</segmentd>')
            _write(osp.join(voc_root, 'Annotations', stem + '.xml'), text)
        if split == 'train' and variant == 'blank_lines':
            entries.insert(1, '')
        _write(
            osp.join(voc_root, 'ImageSets', sets_dir, f'{split}.txt'),
            '\n'.join(entries) + '\n')
    if variant == 'image_without_annotation':
        write_image(osp.join(voc_root, 'JPEGImages', 'extra' + ext), (8, 8))
    return dict(root=base, voc_root=voc_root, splits=splits, ext=ext)


def make_shiprs_coco(root: str) -> dict:
    """Write the ShipRSImageNet COCO release files for the
    :func:`make_voc` ``'shiprsimagenet'`` content, as the official devkit
    writes them: level-3 category ids, the 50 level-3 names as categories,
    ``bbox = [xmin, ymin, xmax - xmin, ymax - ymin]`` of the VOC values,
    and no annotations in the test file.

    Returns:
        dict: as :func:`make_voc`, plus ``coco_dir``.
    """
    from mmrsod.datasets.shiprsimagenet import SHIPRS_LEVEL_CLASSES
    spec = make_voc(root, 'shiprsimagenet')
    coco_dir = osp.join(spec['root'], 'COCO_Format')
    names = SHIPRS_LEVEL_CLASSES[3]
    for split, items in spec['splits'].items():
        data = dict(
            images=[],
            annotations=[],
            categories=[
                dict(id=i + 1, name=n, supercategory=n)
                for i, n in enumerate(names)
            ])
        for image_id, (stem, size, objects) in enumerate(items, start=1):
            data['images'].append(
                dict(
                    id=image_id,
                    file_name=stem + spec['ext'],
                    width=size[0],
                    height=size[1]))
            if split == 'test':
                continue
            for name, (x1, y1, x2, y2), _ in objects:
                data['annotations'].append(
                    dict(
                        id=len(data['annotations']) + 1,
                        image_id=image_id,
                        category_id=names.index(name) + 1,
                        bbox=[x1, y1, x2 - x1, y2 - y1],
                        area=float((x2 - x1) * (y2 - y1)),
                        iscrowd=0,
                        segmentation=[]))
        _write(
            osp.join(coco_dir, f'ShipRSImageNet_bbox_{split}_level_3.json'),
            json.dumps(data))
    spec['coco_dir'] = coco_dir
    return spec

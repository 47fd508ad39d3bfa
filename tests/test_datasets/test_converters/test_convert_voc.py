# Copyright (c) mmrsod contributors. All rights reserved.
"""HRRSD, SAR-AIRcraft-1.0 and ShipRSImageNet converters (shared VOC
reader) on generated copies of the official layouts."""
import json
import os.path as osp

import pytest

from mmrsod.datasets.converters import (convert_hrrsd, convert_sar_aircraft,
                                        convert_shiprsimagenet)
from mmrsod.datasets.hrrsd import HRRSDDataset
from mmrsod.datasets.sar_aircraft import SARAircraftDataset
from mmrsod.datasets.shiprsimagenet import (SHIPRS_LEVEL_CLASSES,
                                            shiprs_map_level3)
from mmrsod.testing import VOC_CLASSES, make_shiprs_coco, make_voc
from mmrsod.utils import InputError

CONVERTERS = {
    'hrrsd': (convert_hrrsd, HRRSDDataset.METAINFO['classes'],
              'OPT2017/JPEGImages/{}.jpg', 'OPT2017/'),
    'sar_aircraft':
    (convert_sar_aircraft, SARAircraftDataset.METAINFO['classes'],
     'JPEGImages/{}.jpg', ''),
    'shiprsimagenet': (convert_shiprsimagenet, SHIPRS_LEVEL_CLASSES[3],
                       'VOC_Format/JPEGImages/{}.bmp', 'VOC_Format/'),
}
DATASETS = list(CONVERTERS)


def load_json(path) -> dict:
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def _xml(dataset, stem='img01'):
    return CONVERTERS[dataset][3] + f'Annotations/{stem}.xml'


@pytest.mark.parametrize('dataset', DATASETS)
def test_convert_official_splits(tmp_path, dataset):
    convert, classes, pattern, _ = CONVERTERS[dataset]
    spec = make_voc(str(tmp_path / 'with space'), dataset)
    out = str(tmp_path / 'out')
    report = convert(spec['root'], out)
    splits = ['train', 'test'
              ] if dataset == 'sar_aircraft' else ['train', 'val', 'test']
    assert list(report.splits) == splits
    c0, c1, c2 = (classes.index(n) + 1 for n in VOC_CLASSES[dataset])
    train = load_json(osp.join(out, f'{dataset}_train.json'))
    assert [c['name'] for c in train['categories']] == list(classes)
    assert [(im['id'], im['file_name'], im['width'], im['height'])
            for im in train['images']
            ] == [(1, pattern.format('img01'), 120, 90),
                  (2, pattern.format('img02'), 64, 48)]
    # VOC 1-based inclusive -> [xmin - 1, ymin - 1, w + 1, h + 1]
    assert [(a['image_id'], a['category_id'], a['bbox'], a['area'],
             a['iscrowd']) for a in train['annotations']] == [
                 (1, c0, [10.0, 20.0, 30.0, 30.0], 900.0, 0),
                 (1, c1, [0.0, 0.0, 10.0, 5.0], 50.0, 1),
                 (2, c2, [4.0, 5.0, 60.0, 43.0], 2580.0, 0),
             ]
    test = load_json(osp.join(out, f'{dataset}_test.json'))
    # a one-pixel VOC box (1, 1, 1, 1) is kept: [0, 0, 1, 1]
    assert [a['bbox']
            for a in test['annotations']] == [[49.0, 49.0, 11.0, 21.0],
                                              [0.0, 0.0, 1.0, 1.0]]
    assert not report.skipped
    assert osp.isfile(osp.join(out, f'{dataset}_report.json'))


@pytest.mark.parametrize('dataset', DATASETS)
@pytest.mark.parametrize('variant, message', [
    ('invalid_xml', r'img01\.xml:\d+: not valid XML'),
    ('missing_bndbox', r'img01\.xml:\d+: object without <bndbox>'),
    ('unknown_class', r"img01\.xml:\d+: unknown class 'submarine-x'"),
    ('inverted_corners', r'img01\.xml:\d+: inverted box corners'),
])
def test_errors_name_file_and_line(tmp_path, dataset, variant, message):
    convert = CONVERTERS[dataset][0]
    spec = make_voc(str(tmp_path), dataset, variant=variant)
    out = tmp_path / 'out'
    with pytest.raises(InputError, match=message):
        convert(spec['root'], str(out))
    assert not out.exists()
    if variant == 'invalid_xml':
        return  # a broken file stays an error: it would lose all its boxes
    report = convert(spec['root'], str(out), skip_invalid=True)
    assert sum(report.skipped.values()) == 1
    (where, ) = [w for ws in report.examples.values() for w in ws]
    assert where.startswith(_xml(dataset) + ':')
    assert report.splits['train']['boxes'] == 3


def test_error_line_is_the_objects_line(tmp_path):
    spec = make_voc(str(tmp_path), 'hrrsd', variant='unknown_class')
    xml = osp.join(spec['voc_root'], 'Annotations', 'img01.xml')
    with open(xml) as f:
        lines = [i for i, t in enumerate(f, 1) if '<object>' in t]
    with pytest.raises(InputError, match=rf'img01\.xml:{lines[-1]}: '):
        convert_hrrsd(spec['root'], str(tmp_path / 'o'))


@pytest.mark.parametrize('dataset', DATASETS)
@pytest.mark.parametrize('variant, kind, reason, where', [
    ('zero_area', 'skip', 'zero-area box', 'xml'),
    ('outside_image', 'note', 'box clipped to the image', 'xml'),
    ('no_objects', 'note', 'annotation file without objects', 'xml'),
    ('missing_size', 'note', 'size read from the image header', 'xml'),
    ('blank_lines', 'note', 'blank line', 'list'),
    ('listed_without_annotation', 'skip',
     'listed image without annotation file', 'list'),
    ('annotation_without_image', 'skip', 'annotation without image', 'xml'),
    ('image_without_annotation', 'skip', 'image without annotation file',
     'image'),
])
def test_logged_handling(tmp_path, dataset, variant, kind, reason, where):
    convert = CONVERTERS[dataset][0]
    prefix = CONVERTERS[dataset][3]
    spec = make_voc(str(tmp_path), dataset, variant=variant)
    out = str(tmp_path / 'out')
    report = convert(spec['root'], out)
    counts = report.skipped if kind == 'skip' else report.notes
    assert counts[reason] == 1
    if kind == 'skip':
        assert sum(report.skipped.values()) == 1
    example = report.examples[reason][0]
    if where == 'xml':
        assert example.split(':')[0] == _xml(dataset)
    elif where == 'list':
        sets = 'ImageSets/' if dataset == 'shiprsimagenet' else \
            'ImageSets/Main/'
        assert example == prefix + sets + 'train.txt:' + (
            '1' if variant == 'listed_without_annotation' else '2')
    else:
        assert example == prefix + 'JPEGImages/extra' + spec['ext']
    train = load_json(osp.join(out, f'{dataset}_train.json'))
    if variant == 'outside_image':
        # (100, 80, 130, 95) in 120 x 90 -> [99, 79, 120, 90]
        assert train['annotations'][2]['bbox'] == [99.0, 79.0, 21.0, 11.0]
    if variant in ('listed_without_annotation', 'annotation_without_image'):
        assert [
            im['file_name'].rsplit('/', 1)[1][:5] for im in train['images']
        ] == ['img02']
    if variant == 'missing_size':
        assert (train['images'][0]['width'],
                train['images'][0]['height']) == (120, 90)


@pytest.mark.parametrize('level, expected', [
    (0, ['Ship', 'Ship', 'Dock']),
    (1, ['Warship', 'Merchant', 'Dock']),
    (2, ['Aircraft Carrier', 'Container Ship', 'Dock']),
    (3, ['Nimitz', 'Container Ship', 'Dock']),
])
def test_shiprs_levels_voc_and_coco(tmp_path, level, expected):
    classes = SHIPRS_LEVEL_CLASSES[level]
    spec = make_shiprs_coco(str(tmp_path))
    convert_shiprsimagenet(spec['root'], str(tmp_path / 'v'), level=level)
    convert_shiprsimagenet(
        spec['root'], str(tmp_path / 'c'), level=level, source='coco')
    voc = load_json(str(tmp_path / 'v' / 'shiprsimagenet_train.json'))
    coco = load_json(str(tmp_path / 'c' / 'shiprsimagenet_train.json'))
    for data in (voc, coco):
        assert [c['name'] for c in data['categories']] == list(classes)
        assert [classes[a['category_id'] - 1]
                for a in data['annotations']] == expected
        assert [im['file_name'] for im in data['images']] == [
            'VOC_Format/JPEGImages/img01.bmp',
            'VOC_Format/JPEGImages/img02.bmp'
        ]
    # the COCO release's boxes are kept as written ([xmin, ymin, xmax -
    # xmin, ymax - ymin] of the VOC values)
    assert coco['annotations'][0]['bbox'] == [11.0, 21.0, 29.0, 29.0]
    assert voc['annotations'][0]['bbox'] == [10.0, 20.0, 30.0, 30.0]
    test = load_json(str(tmp_path / 'c' / 'shiprsimagenet_test.json'))
    assert len(test['images']) == 1 and test['annotations'] == []


def test_shiprs_level_tags_win_over_names(tmp_path):
    """The VOC release's <level_L> tags are used when present; the name
    table only when a tag is missing."""
    spec = make_voc(str(tmp_path), 'shiprsimagenet')
    xml = osp.join(spec['voc_root'], 'Annotations', 'img02.xml')
    with open(xml) as f:
        text = f.read()
    # Dock: replace its level-1 tag (4 = Dock) by 3 (Merchant)
    with open(xml, 'w') as f:
        f.write(text.replace('<level_1>4</level_1>', '<level_1>3</level_1>'))
    convert_shiprsimagenet(spec['root'], str(tmp_path / 'o'), level=1)
    train = load_json(str(tmp_path / 'o' / 'shiprsimagenet_train.json'))
    assert [a['category_id'] for a in train['annotations']] == [2, 3, 3]
    with open(xml, 'w') as f:
        f.write(text.replace('<level_1>4</level_1>', ''))
    convert_shiprsimagenet(spec['root'], str(tmp_path / 'o'), level=1)
    train = load_json(str(tmp_path / 'o' / 'shiprsimagenet_train.json'))
    assert [a['category_id'] for a in train['annotations']] == [2, 3, 4]
    with open(xml, 'w') as f:
        f.write(text.replace('<level_1>4</level_1>', '<level_1>9</level_1>'))
    with pytest.raises(InputError, match=r'<level_1> 9 is out of range'):
        convert_shiprsimagenet(spec['root'], str(tmp_path / 'o'), level=1)


def test_shiprs_hierarchy_table():
    assert shiprs_map_level3('Arleigh Burke DD', 2) == 'Destroyer'
    assert shiprs_map_level3('Sanantonio AS', 1) == 'Warship'
    assert shiprs_map_level3('Hovercraft', 1) == 'Merchant'
    assert shiprs_map_level3('Other Ship', 0) == 'Ship'
    for level in range(4):
        mapped = {shiprs_map_level3(n, level) for n in SHIPRS_LEVEL_CLASSES[3]}
        assert mapped == set(SHIPRS_LEVEL_CLASSES[level])
    assert [len(SHIPRS_LEVEL_CLASSES[i]) for i in range(4)] == [2, 4, 25, 50]


def test_shiprs_coco_release_errors(tmp_path):
    spec = make_shiprs_coco(str(tmp_path))
    path = osp.join(spec['coco_dir'], 'ShipRSImageNet_bbox_val_level_3.json')
    data = load_json(path)
    data['categories'][0]['name'] = 'Ship'  # a level-0 file's categories
    with open(path, 'w') as f:
        json.dump(data, f)
    with pytest.raises(InputError, match='level-3 classes'):
        convert_shiprsimagenet(
            spec['root'], str(tmp_path / 'o'), source='coco')
    with pytest.raises(InputError, match='--level 4'):
        convert_shiprsimagenet(spec['root'], str(tmp_path / 'o'), level=4)


def test_missing_split_list_and_folders(tmp_path):
    spec = make_voc(str(tmp_path), 'hrrsd')
    with pytest.raises(InputError, match='split list trainval.txt'):
        convert_hrrsd(spec['root'], str(tmp_path / 'o'), splits=['trainval'])
    (tmp_path / 'empty').mkdir()
    with pytest.raises(InputError, match="'Annotations'"):
        convert_sar_aircraft(str(tmp_path / 'empty'), str(tmp_path / 'o'))


def test_hrrsd_class_names():
    # the official README's 13 names and order (TGRS-HRRSD-Dataset)
    assert HRRSDDataset.METAINFO['classes'] == ('ship', 'bridge',
                                                'ground track field',
                                                'storage tank',
                                                'basketball court',
                                                'tennis court', 'airplane',
                                                'baseball diamond', 'harbor',
                                                'vehicle', 'crossroad',
                                                'T junction', 'parking lot')
    assert len(HRRSDDataset.METAINFO['palette']) == 13

# Copyright (c) mmrsod contributors. All rights reserved.
"""DOTA converter on generated copies of the official layout."""
import json
import os.path as osp

import pytest

from mmrsod.datasets.converters import DOTA_CLASSES, convert_dota
from mmrsod.testing import make_dota
from mmrsod.utils import InputError


def load_json(path) -> dict:
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def test_convert_splits_boxes_difficult(tmp_path):
    spec = make_dota(str(tmp_path / 'a b'))
    out = str(tmp_path / 'out')
    report = convert_dota(spec['root'], out)
    train = load_json(osp.join(out, 'dota_train.json'))
    val = load_json(osp.join(out, 'dota_val.json'))
    test = load_json(osp.join(out, 'dota_test.json'))
    assert [c['name']
            for c in train['categories']] == list(DOTA_CLASSES['1.0'])
    assert [(im['file_name'], im['width'], im['height'], im['gsd'])
            for im in train['images']
            ] == [('train/images/P0001.png', 100, 80, 0.5),
                  ('train/images/P0002.png', 64, 64, None)]
    assert train['images'][0]['imagesource'] == 'GoogleEarth'
    # polygon -> bounding rectangle; difficult ship -> iscrowd 1
    assert [(a['image_id'], a['category_id'], a['bbox'], a['area'],
             a['iscrowd']) for a in train['annotations']] == [
                 (1, 1, [10.0, 12.0, 30.0, 18.0], 540.0, 0),
                 (1, 7, [45.5, 40.0, 14.5, 20.0], 290.0, 1),
                 (2, 10, [1.0, 2.0, 8.0, 8.0], 64.0, 0),
             ]
    assert [a['category_id'] for a in val['annotations']] == [15, 13]
    # test: images only, as released
    assert [im['file_name']
            for im in test['images']] == ['test/images/P0004.png']
    assert test['annotations'] == []
    assert report.notes['split without labels (images only)'] == 1
    assert report.splits['train']['ignore_boxes'] == 1


def test_difficult_as_normal_and_v15(tmp_path):
    spec = make_dota(str(tmp_path))
    out = str(tmp_path / 'out')
    convert_dota(
        spec['root'],
        out,
        version='1.5',
        splits=['train'],
        difficult_as_ignore=False)
    train = load_json(osp.join(out, 'dota_train.json'))
    assert [a['iscrowd'] for a in train['annotations']] == [0, 0, 0]
    assert len(train['categories']) == 16
    assert train['categories'][-1]['name'] == 'container-crane'
    assert not osp.exists(osp.join(out, 'dota_val.json'))


@pytest.mark.parametrize('variant, message', [
    ('malformed_line', r'P0001\.txt:5: malformed line'),
    ('unknown_class', r"P0001\.txt:5: unknown class 'car'"),
    ('container_crane_v10', r'--version 1\.5'),
])
def test_errors_name_file_and_line(tmp_path, variant, message):
    spec = make_dota(str(tmp_path), variant=variant)
    with pytest.raises(InputError, match=message):
        convert_dota(spec['root'], str(tmp_path / 'out'))
    report = convert_dota(
        spec['root'], str(tmp_path / 'out'), skip_invalid=True)
    assert sum(report.skipped.values()) == 1
    (reason, ) = report.skipped
    assert report.examples[reason] == ['train/labelTxt/P0001.txt:5']


def test_container_crane_is_valid_in_v15(tmp_path):
    spec = make_dota(str(tmp_path), variant='container_crane_v10')
    report = convert_dota(spec['root'], str(tmp_path / 'out'), version='1.5')
    assert report.splits['train']['boxes_per_class']['container-crane'] == 1


def test_geometry_blank_empty(tmp_path):
    spec = make_dota(str(tmp_path / 'z'), variant='zero_area')
    report = convert_dota(spec['root'], str(tmp_path / 'oz'))
    assert report.skipped == {'zero-area box': 1}
    spec = make_dota(str(tmp_path / 'o'), variant='outside_image')
    report = convert_dota(spec['root'], str(tmp_path / 'oo'))
    train = load_json(str(tmp_path / 'oo' / 'dota_train.json'))
    # (90, 70)-(120, 90) in a 100 x 80 image -> clipped to (100, 80)
    assert train['annotations'][2]['bbox'] == [90.0, 70.0, 10.0, 10.0]
    assert report.notes['box clipped to the image'] == 1
    spec = make_dota(str(tmp_path / 'b'), variant='blank_lines')
    report = convert_dota(spec['root'], str(tmp_path / 'ob'))
    assert report.notes['blank line'] == 3
    assert report.splits['train']['boxes'] == 3
    spec = make_dota(str(tmp_path / 'e'), variant='empty_file')
    report = convert_dota(spec['root'], str(tmp_path / 'oe'))
    assert report.splits['train'] == dict(
        images=2,
        boxes=1,
        ignore_boxes=0,
        boxes_per_class={
            c: int(c == 'storage-tank')
            for c in DOTA_CLASSES['1.0']
        })


@pytest.mark.parametrize('variant, reason, where', [
    ('annotation_without_image', 'annotation without image',
     'train/labelTxt/P0002.txt'),
    ('image_without_annotation', 'image without annotation file',
     'train/images/P0002.png'),
])
def test_missing_pairs_reported(tmp_path, variant, reason, where):
    spec = make_dota(str(tmp_path), variant=variant)
    report = convert_dota(spec['root'], str(tmp_path / 'out'))
    assert report.skipped == {reason: 1}
    assert report.examples[reason] == [where]
    assert report.splits['train']['images'] == 1


def test_missing_label_folder(tmp_path):
    spec = make_dota(str(tmp_path))
    with pytest.raises(InputError, match="no label folder 'labelTxt-v1.5'"):
        convert_dota(
            spec['root'],
            str(tmp_path / 'o'),
            version='1.5',
            label_dir='labelTxt-v1.5')


def test_bad_arguments(tmp_path):
    with pytest.raises(InputError, match='--version 2.0'):
        convert_dota(str(tmp_path), str(tmp_path / 'o'), version='2.0')
    with pytest.raises(InputError, match='no split folder'):
        convert_dota(str(tmp_path), str(tmp_path / 'o'))

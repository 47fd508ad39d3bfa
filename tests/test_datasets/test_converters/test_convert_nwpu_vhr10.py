# Copyright (c) mmrsod contributors. All rights reserved.
"""NWPU VHR-10 converter on generated copies of the official layout."""
import json
import os.path as osp

import pytest

from mmrsod.datasets.converters import (convert_nwpu_vhr10, parse_nwpu_line,
                                        split_by_image)
from mmrsod.datasets.nwpu_vhr10 import NWPUVHR10Dataset
from mmrsod.testing import make_nwpu_vhr10
from mmrsod.utils import InputError

CLASSES = NWPUVHR10Dataset.METAINFO['classes']


def load_json(path) -> dict:
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def _all(out_dir):
    return {
        s: load_json(osp.join(out_dir, f'nwpu_vhr10_{s}.json'))
        for s in ('train', 'val', 'test')
    }


def _boxes_by_file(cocos):
    out = {}
    for coco in cocos.values():
        names = {im['id']: im['file_name'] for im in coco['images']}
        for im in coco['images']:
            out.setdefault(im['file_name'], [])
        for ann in coco['annotations']:
            out[names[ann['image_id']]].append(
                (ann['bbox'], ann['category_id'], ann['iscrowd'], ann['area']))
    return out


def test_parse_line():
    assert parse_nwpu_line('( 72,305),(133,369),1 ') == (72, 305, 133, 369, 1)
    assert parse_nwpu_line('(1,2),(3,4)') is None
    assert parse_nwpu_line('(1,2),(3,4),x') is None


def test_convert_counts_boxes_and_spaces(tmp_path):
    # tmp_path / 'my data' has a space, as do the official folder names
    spec = make_nwpu_vhr10(str(tmp_path / 'my data'))
    out = str(tmp_path / 'out dir')
    report = convert_nwpu_vhr10(spec['root'], out)
    cocos = _all(out)
    # 10 positives + 3 negatives, 10 + 5 boxes (a second box on even k)
    assert sum(len(c['images']) for c in cocos.values()) == 13
    assert sum(len(c['annotations']) for c in cocos.values()) == 15
    # 6/2/2 of the positives, 2/1/0 of the 3 negatives (round half up)
    assert [len(cocos[s]['images'])
            for s in ('train', 'val', 'test')] == [6 + 2, 2 + 1, 2 + 0]
    got = _boxes_by_file(cocos)
    # image 003: box (3, 6), (13, 14), class 3 -> [3, 6, 10, 8]
    assert got['positive image set/003.jpg'] == [([3.0, 6.0, 10.0,
                                                   8.0], 3, 0, 80.0)]
    assert got['negative image set/002.jpg'] == []
    # every box of the spec, exactly
    for name, items in spec['boxes'].items():
        expected = sorted(
            ([x1, y1, x2 - x1, y2 - y1], c) for x1, y1, x2, y2, c in items)
        assert sorted((b, c) for b, c, _, _ in got[name]) == expected
    for coco in cocos.values():
        assert [c['name'] for c in coco['categories']] == list(CLASSES)
        assert [im['id'] for im in coco['images']
                ] == list(range(1,
                                len(coco['images']) + 1))
        names = [im['file_name'] for im in coco['images']]
        assert names == sorted(names)
        for im in coco['images']:
            assert (im['width'],
                    im['height']) == spec['images'][im['file_name']]
    # per-class counts: class 1 has 1 (k=1) + 5 (even k) boxes
    totals = {
        c: sum(s['boxes_per_class'][c] for s in report.splits.values())
        for c in CLASSES
    }
    assert totals == {c: (6 if i == 0 else 1) for i, c in enumerate(CLASSES)}
    assert not report.skipped
    assert osp.isfile(osp.join(out, 'nwpu_vhr10_report.json'))


def test_split_lists_deterministic_and_disjoint(tmp_path):
    spec = make_nwpu_vhr10(str(tmp_path))
    convert_nwpu_vhr10(spec['root'], str(tmp_path / 'a'), seed=0)
    convert_nwpu_vhr10(spec['root'], str(tmp_path / 'b'), seed=0)
    convert_nwpu_vhr10(spec['root'], str(tmp_path / 'c'), seed=1)
    lists = {}
    for run in 'abc':
        lists[run] = {
            s: (tmp_path / run / f'nwpu_vhr10_{s}.txt').read_text()
            for s in ('train', 'val', 'test')
        }
    assert lists['a'] == lists['b']
    assert lists['a'] != lists['c']
    for run in 'abc':
        sets = [set(v.splitlines()) for v in lists[run].values()]
        assert sum(len(s) for s in sets) == 13
        assert len(set.union(*sets)) == 13  # disjoint, complete
    # the json images are exactly the list entries
    cocos = _all(tmp_path / 'a')
    for split, coco in cocos.items():
        assert [im['file_name']
                for im in coco['images']] == lists['a'][split].splitlines()


def test_split_by_image_rule():
    names = [f'{i:03d}' for i in range(10)]
    out = split_by_image([names, ['n1', 'n2']], (0.5, 0.3, 0.2), seed=3)
    assert [len(out[s])
            for s in ('train', 'val', 'test')] == [5 + 1, 3 + 1, 2 + 0]
    assert split_by_image([names], (0.5, 0.3, 0.2),
                          3) == split_by_image([list(reversed(names))],
                                               (0.5, 0.3, 0.2), 3)


@pytest.mark.parametrize('ratios', [(0.5, 0.5), (0.7, 0.2, 0.2),
                                    (1.2, -0.1, -0.1)])
def test_bad_ratios(tmp_path, ratios):
    spec = make_nwpu_vhr10(str(tmp_path), num_positive=2, num_negative=0)
    with pytest.raises(InputError, match='--ratios'):
        convert_nwpu_vhr10(spec['root'], str(tmp_path / 'o'), ratios=ratios)


@pytest.mark.parametrize('variant, message', [
    ('malformed_line', r"001\.txt:2: malformed line '\(3,4\),\(13,12\)'"),
    ('class_out_of_range', r'001\.txt:2: class id 11 is out of range 1\.\.10'),
    ('inverted_corners', r'001\.txt:2: inverted box corners'),
])
def test_errors_name_file_and_line(tmp_path, variant, message):
    spec = make_nwpu_vhr10(str(tmp_path), variant=variant)
    out = tmp_path / 'out'
    with pytest.raises(InputError, match=message):
        convert_nwpu_vhr10(spec['root'], str(out))
    assert not out.exists()  # nothing half-written
    # --skip-invalid: skipped and counted, the rest converted
    report = convert_nwpu_vhr10(spec['root'], str(out), skip_invalid=True)
    assert sum(report.skipped.values()) == 1
    (where, ) = [w for ws in report.examples.values() for w in ws]
    assert where == 'ground truth/001.txt:2'
    assert sum(s['boxes'] for s in report.splits.values()) == 15


@pytest.mark.parametrize('variant, reason, kept_box', [
    ('zero_area', 'zero-area box', None),
    ('wholly_outside', 'box outside the image', None),
    ('outside_image', None, [50.0, 30.0, 14.0, 12.0]),
])
def test_geometry_handling(tmp_path, variant, reason, kept_box):
    spec = make_nwpu_vhr10(str(tmp_path), variant=variant)
    out = str(tmp_path / 'out')
    report = convert_nwpu_vhr10(spec['root'], out)
    got = _boxes_by_file(_all(out))['positive image set/001.jpg']
    if reason is not None:
        assert report.skipped == {reason: 1}
        assert report.examples[reason] == ['ground truth/001.txt:2']
        assert len(got) == 1
    else:
        # image 001 is 64 x 42: (50,30),(90,60) is clipped to (64, 42)
        assert not report.skipped
        assert report.notes['box clipped to the image'] == 1
        assert [b for b, _, _, _ in got][1] == kept_box


def test_blank_and_empty_files(tmp_path):
    spec = make_nwpu_vhr10(str(tmp_path / 'b'), variant='blank_lines')
    report = convert_nwpu_vhr10(spec['root'], str(tmp_path / 'ob'))
    assert report.notes['blank line'] == 3
    assert not report.skipped
    spec = make_nwpu_vhr10(str(tmp_path / 'e'), variant='empty_file')
    report = convert_nwpu_vhr10(spec['root'], str(tmp_path / 'oe'))
    key = 'empty annotation file (image kept without boxes)'
    assert report.examples[key] == ['ground truth/001.txt']
    got = _boxes_by_file(_all(tmp_path / 'oe'))
    assert got['positive image set/001.jpg'] == []
    assert len(got) == 13


@pytest.mark.parametrize('variant, reason, where', [
    ('annotation_without_image', 'annotation without image',
     'ground truth/002.txt'),
    ('image_without_annotation', 'image without annotation file',
     'positive image set/002.jpg'),
])
def test_missing_pairs_reported(tmp_path, variant, reason, where):
    spec = make_nwpu_vhr10(str(tmp_path), variant=variant)
    out = str(tmp_path / 'out')
    report = convert_nwpu_vhr10(spec['root'], out)
    assert report.skipped == {reason: 1}
    assert report.examples[reason] == [where]
    assert sum(s['images'] for s in report.splits.values()) == 12
    assert reason in report.format_summary()


def test_missing_folders(tmp_path):
    with pytest.raises(InputError, match='does not exist'):
        convert_nwpu_vhr10(str(tmp_path / 'nope'), str(tmp_path / 'o'))
    (tmp_path / 'empty').mkdir()
    with pytest.raises(InputError, match="'positive image set'"):
        convert_nwpu_vhr10(str(tmp_path / 'empty'), str(tmp_path / 'o'))


def test_cli_in_process(tmp_path, load_tool, capsys):
    spec = make_nwpu_vhr10(str(tmp_path), num_positive=4, num_negative=0)
    tool = load_tool('nwpu_vhr10')
    assert tool.main([
        spec['root'],
        str(tmp_path / 'o'), '--seed', '2', '--ratios', '0.5', '0.25', '0.25'
    ]) == 0
    out = capsys.readouterr().out
    assert 'nwpu_vhr10: converted splits' in out
    assert len((tmp_path / 'o' /
                'nwpu_vhr10_train.txt').read_text().splitlines()) == 2
    spec = make_nwpu_vhr10(
        str(tmp_path / 'bad'),
        variant='malformed_line',
        num_positive=2,
        num_negative=0)
    with pytest.raises(SystemExit) as exc:
        tool.main([spec['root'], str(tmp_path / 'o2')])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith('nwpu_vhr10.py: error: ground truth/001.txt:2: '
                          'malformed line')
    assert '\n' not in err

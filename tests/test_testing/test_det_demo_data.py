# Copyright (c) mmrsod contributors. All rights reserved.
"""The synthetic detection demo set: NWPU layout, determinism, boxes."""
import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mmrsod.testing import DET_DEMO_CLASSES, generate_det_demo, load_script
from mmrsod.testing.det_demo_data import make_det_demo_sample

_TOOL = (
    Path(__file__).resolve().parents[2] / 'tools' / 'misc' /
    'generate_demo_data.py')
_LINE = re.compile(r'^\((\d+),(\d+)\),\((\d+),(\d+)\),(\d+)$')


def _digests(root: Path) -> dict:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob('*')) if p.is_file()
    }


def _read_gt(path: Path) -> list:
    boxes = []
    for line in path.read_text().splitlines():
        match = _LINE.match(line)
        assert match, (path, line)
        boxes.append(tuple(int(v) for v in match.groups()))
    return boxes


def test_layout_boxes_and_counts(tmp_path):
    info = generate_det_demo(str(tmp_path / 'demo'), num_images=6, seed=0)
    root = Path(info['out_dir'])
    assert sorted(p.name for p in root.iterdir()) == [
        'demo_data.json', 'ground truth', 'positive image set', 'readme.txt'
    ]
    names = sorted(p.stem for p in (root / 'positive image set').iterdir())
    assert names == ['001', '002', '003', '004', '005', '006']
    assert sorted(p.stem for p in (root / 'ground truth').iterdir()) == names
    counts = {name: 0 for name in DET_DEMO_CLASSES.values()}
    for name in names:
        img = Image.open(root / 'positive image set' / f'{name}.jpg')
        w, h = img.size
        # a little larger than the demo's 256 px tile: tiling cuts it
        assert 288 <= w <= 420 and 272 <= h <= 380
        boxes = _read_gt(root / 'ground truth' / f'{name}.txt')
        assert boxes
        occupied = np.zeros((h, w), np.int32)
        for x1, y1, x2, y2, c in boxes:
            assert 0 <= x1 < x2 <= w and 0 <= y1 < y2 <= h
            assert c in DET_DEMO_CLASSES
            counts[DET_DEMO_CLASSES[c]] += 1
            occupied[y1:y2, x1:x2] += 1
        assert occupied.max() == 1  # objects do not overlap
    assert info['boxes_per_class'] == counts
    assert json.loads((root / 'demo_data.json').read_text())['num_boxes'] \
        == sum(counts.values())


def test_objects_differ_from_background():
    """Object pixels stand out from the terrain (learnable boxes)."""
    diffs = []
    for i in range(4):
        img, boxes = make_det_demo_sample(
            np.random.default_rng([7, i]), 320, 300)
        assert img.shape == (300, 320, 3) and img.dtype == np.uint8
        mask = np.zeros(img.shape[:2], bool)
        for x1, y1, x2, y2, _ in boxes:
            mask[y1:y2, x1:x2] = True
        centre = [
            img[(y1 + y2) // 2, (x1 + x2) // 2].astype(float)
            for x1, y1, x2, y2, _ in boxes
        ]
        diffs.append(
            np.abs(np.mean(centre, 0) -
                   img[~mask].astype(float).mean(0)).max())
    assert np.mean(diffs) > 40


def test_deterministic_and_seed_dependent(tmp_path):
    generate_det_demo(str(tmp_path / 'a'), num_images=3)
    generate_det_demo(str(tmp_path / 'b'), num_images=3)
    generate_det_demo(str(tmp_path / 'c'), num_images=3, seed=1)
    generate_det_demo(str(tmp_path / 'd'), num_images=4)
    a = _digests(tmp_path / 'a')
    assert a == _digests(tmp_path / 'b')
    c = _digests(tmp_path / 'c')
    assert a['positive image set/001.jpg'] != c['positive image set/001.jpg']
    d = _digests(tmp_path / 'd')
    # image k does not depend on how many images there are
    assert a['ground truth/003.txt'] == d['ground truth/003.txt']
    assert a['positive image set/002.jpg'] == d['positive image set/002.jpg']


def test_existing_output_and_bad_arguments(tmp_path):
    out = tmp_path / 'demo'
    generate_det_demo(str(out), num_images=1)
    with pytest.raises(FileExistsError, match=str(out)):
        generate_det_demo(str(out), num_images=1)
    generate_det_demo(str(out), num_images=2, overwrite=True)
    assert len(list((out / 'ground truth').iterdir())) == 2
    with pytest.raises(ValueError, match='num_images'):
        generate_det_demo(str(tmp_path / 'x'), num_images=0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ['demo']


def test_cli_task_switch(tmp_path, capsys):
    tool = load_script(_TOOL, 'generate_demo_data')
    out = tmp_path / 'cli'
    assert tool.main([str(out), '--task', 'det', '--num-images', '2']) == 0
    assert 'wrote 2 images with' in capsys.readouterr().out
    ref = tmp_path / 'ref'
    generate_det_demo(str(ref), num_images=2)
    assert _digests(out) == _digests(ref)
    # options of the other task are refused
    with pytest.raises(SystemExit) as err:
        tool.parse_args([str(tmp_path / 'x'), '--task', 'det', '--size', '64'])
    assert err.value.code == 2
    assert '--size: only for --task sod' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        tool.parse_args([str(tmp_path / 'x'), '--num-images', '3'])
    # the default task is still the SOD set
    args = tool.parse_args([str(tmp_path / 'y')])
    assert (args.task, args.num_train, args.num_test, args.size) == ('sod', 48,
                                                                     16, 256)


def test_converts_with_the_nwpu_converter(tmp_path):
    """The NWPU VHR-10 converter reads every generated image and box."""
    from mmrsod.datasets.converters import convert_nwpu_vhr10
    info = generate_det_demo(str(tmp_path / 'demo set'), num_images=5)
    root = Path(info['out_dir'])
    report = convert_nwpu_vhr10(str(root), str(tmp_path / 'coco'))
    assert not report.skipped
    per_class = {name: 0 for name in DET_DEMO_CLASSES.values()}
    images, boxes = [], []
    for split in ('train', 'val', 'test'):
        coco = json.loads(
            (tmp_path / 'coco' / f'nwpu_vhr10_{split}.json').read_text())
        images += coco['images']
        names = {c['id']: c['name'] for c in coco['categories']}
        for ann in coco['annotations']:
            per_class[names[ann['category_id']]] += 1
            boxes.append(ann)
    assert len(images) == 5 and len(boxes) == info['num_boxes']
    assert per_class == info['boxes_per_class']
    # a box as written: "(x1,y1),(x2,y2),c" -> [x1, y1, x2 - x1, y2 - y1]
    first = _read_gt(root / 'ground truth' / '001.txt')[0]
    ann = next(a for a in boxes if a['image_id'] == next(
        im['id'] for im in images
        if im['file_name'] == 'positive image set/001.jpg'))
    x1, y1, x2, y2, c = first
    assert ann['bbox'] == [x1, y1, x2 - x1, y2 - y1
                           ] and ann['category_id'] == c

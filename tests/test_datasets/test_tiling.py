# Copyright (c) mmrsod contributors. All rights reserved.
"""The tiler: grid, clipping, padding, overlap, ids, determinism, CLI."""
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from mmrsod.datasets.converters.tiling import (TilingError, clip_box,
                                               crop_tile, plan_tiles,
                                               tile_grid, tile_starts,
                                               tile_stems, validate_coco)
from mmrsod.testing import load_script

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / 'tools' / 'dataset_converters' / 'split_tiles.py'
CATS = [dict(id=1, name='airplane'), dict(id=2, name='storage tank')]


def _load_tool():
    return load_script(TOOL, 'split_tiles')


@pytest.mark.parametrize(
    'length, tile, overlap, starts',
    [
        (1000, 512, 100, [0, 412, 488]),  # last tile aligned to the border
        (512, 512, 100, [0]),  # exactly one tile
        (300, 512, 100, [0]),  # smaller than a tile: one (padded) tile
        (924, 512, 100, [0, 412]),  # 412 + 512 = 924 ends at the border
        (925, 512, 100, [0, 412, 413]),
        (1236, 512, 100, [0, 412, 724]),
        (1237, 512, 100, [0, 412, 725]),  # 824 + 512 > 1237 -> aligned
        (1000, 512, 0, [0, 488]),
        (200, 64, 16, [0, 48, 96, 136]),
    ])
def test_tile_starts(length, tile, overlap, starts):
    got = tile_starts(length, tile, overlap)
    assert got == starts
    # every pixel is covered, every tile lies inside the image (or is
    # the single padded tile), neighbours overlap by >= overlap
    covered = np.zeros(length, bool)
    for s in got:
        covered[s:s + tile] = True
        assert s == 0 or s + tile <= length
    assert covered.all()
    assert all(b - a <= tile - overlap for a, b in zip(got, got[1:]))


@pytest.mark.parametrize('tile, overlap', [(0, 0), (512, 512), (512, -1)])
def test_tile_starts_rejects_bad_arguments(tile, overlap):
    with pytest.raises(ValueError):
        tile_starts(1000, tile, overlap)


def test_tile_grid_is_row_major():
    assert tile_grid(1000, 300, 512, 100) == [(0, 0), (412, 0), (488, 0)]
    assert tile_grid(600, 600, 512, 100) == [(0, 0), (88, 0), (0, 88),
                                             (88, 88)]
    # NWPU-like 958 x 808 image: 3 x 2 ... starts x [0, 412, 446],
    # y [0, 296]
    grid = tile_grid(958, 808, 512, 100)
    assert len(grid) == 6 and grid[2] == (446, 0) and grid[-1] == (446, 296)


def test_clip_box_values():
    # box x 400..600, y 10..110 in a 1000 x 300 image, tiles at x 0/412/488
    box = [400, 10, 200, 100]
    assert clip_box(box, 0, 0, 512, 1000, 300) == ([400, 10, 112,
                                                    100], pytest.approx(0.56))
    assert clip_box(box, 412, 0, 512, 1000,
                    300) == ([0, 10, 188, 100], pytest.approx(0.94))
    assert clip_box(box, 488, 0, 512, 1000,
                    300) == ([0, 10, 112, 100], pytest.approx(0.56))
    # no overlap at all
    assert clip_box([0, 0, 50, 50], 412, 0, 512, 1000, 300) == (None, 0.0)
    # touching the border only: nothing visible
    assert clip_box([362, 0, 50, 50], 412, 0, 512, 1000, 300) == (None, 0.0)
    # fractional coordinates stay fractional
    got, ratio = clip_box([500.5, 20.25, 20, 10], 0, 0, 512, 1000, 300)
    assert got == [500.5, 20.25, 11.5, 10.0]
    assert ratio == pytest.approx(11.5 / 20)


def test_clip_box_object_larger_than_tile():
    # a 600 px long bridge: a tile it fills counts as fully present
    box = [0, 100, 600, 40]
    got, ratio = clip_box(box, 0, 0, 512, 1000, 300)
    assert got == [0, 100, 512, 40] and ratio == 1.0
    got, ratio = clip_box(box, 412, 0, 512, 1000, 300)
    assert got == [0, 100, 188, 40]
    assert ratio == pytest.approx(188 / 512)


def test_crop_tile_padding_and_content():
    rng = np.random.default_rng(0)
    img = rng.integers(1, 256, (300, 200, 3), dtype=np.uint8)
    tile = crop_tile(img, 0, 0, 512)
    assert tile.shape == (512, 512, 3) and tile.dtype == np.uint8
    np.testing.assert_array_equal(tile[:300, :200], img)
    assert not tile[300:].any() and not tile[:, 200:].any()
    # an interior window is a plain crop
    big = rng.integers(0, 256, (600, 700, 3), dtype=np.uint8)
    np.testing.assert_array_equal(crop_tile(big, 188, 88, 512), big[88:, 188:])


def test_tile_stems_disambiguates_repeated_stems():
    assert tile_stems(['a/001.jpg', 'a/002.jpg']) == ['001', '002']
    assert tile_stems([
        'positive image set/001.jpg', 'negative image set/'
        '001.jpg', 'x/002.jpg'
    ]) == ['positive image set__001', 'negative image set__001', '002']


def _scene():
    """One 1000 x 300 image (tiles x = 0, 412, 488) and a 100 x 80 one."""
    images = [
        dict(id=7, file_name='big scene.jpg', width=1000, height=300),
        dict(id=3, file_name='small.jpg', width=100, height=80),
    ]
    anns = [
        # 200 px wide, straddles all three tiles: 0.56, 0.94, 0.56 kept
        dict(
            id=10,
            image_id=7,
            category_id=1,
            bbox=[400, 10, 200, 100],
            area=20000,
            iscrowd=0),
        # wholly inside tile x0=0 only (x 20..70)
        dict(
            id=11,
            image_id=7,
            category_id=2,
            bbox=[20, 200, 50, 50],
            area=2500,
            iscrowd=1,
            segmentation=[[20, 200, 70, 200, 70, 250]]),
        # inside the small image
        dict(
            id=2,
            image_id=3,
            category_id=2,
            bbox=[10, 10, 30, 20],
            area=600,
            iscrowd=0),
        # zero-size: skipped and counted
        dict(
            id=12,
            image_id=7,
            category_id=1,
            bbox=[5, 5, 0, 10],
            area=0,
            iscrowd=0),
    ]
    return dict(
        info=dict(description='t'),
        images=images,
        annotations=anns,
        categories=CATS)


def test_plan_tiles_boxes_ids_and_counts():
    out, jobs, stats = plan_tiles(_scene(), tile=512, overlap=100)
    # images sorted by id: small.jpg (id 3) first
    assert [im['file_name'] for im in out['images']] == [
        'images/small_0_0.png', 'images/big scene_0_0.png',
        'images/big scene_412_0.png', 'images/big scene_488_0.png'
    ]
    assert [im['id'] for im in out['images']] == [1, 2, 3, 4]
    assert out['images'][2]['source'] == 'big scene.jpg'
    assert out['images'][2]['tile_xy'] == [412, 0]
    assert all(im['width'] == im['height'] == 512 for im in out['images'])
    anns = out['annotations']
    assert [(a['id'], a['image_id'], a['bbox']) for a in anns] == [
        (1, 1, [10, 10, 30, 20]),
        (2, 2, [400, 10, 112, 100]),
        (3, 2, [20, 200, 50, 50]),
        (4, 3, [0, 10, 188, 100]),
        (5, 4, [0, 10, 112, 100]),
    ]
    assert anns[1]['area'] == 11200 and anns[3]['area'] == 18800
    assert anns[2]['iscrowd'] == 1 and 'segmentation' not in anns[2]
    assert out['categories'] == CATS and out['info'] == dict(description='t')
    assert stats['boxes_out_per_class'] == {'airplane': 3, 'storage tank': 2}
    del stats['boxes_out_per_class']
    assert stats == dict(
        images_in=2,
        tiles_total=4,
        tiles_kept=4,
        tiles_empty=0,
        tiles_empty_dropped=0,
        boxes_in=4,
        boxes_out=5,
        boxes_dropped_area=0,
        boxes_cut=3,
        boxes_lost=0,
        boxes_degenerate=1)
    assert [j['file_name'] for j in jobs] == ['small.jpg', 'big scene.jpg']
    assert jobs[1]['tiles'][1] == (412, 0, 'images/big scene_412_0.png')


def test_plan_tiles_area_rule_and_empty_tiles():
    # 0.6: the straddling box stays only in the x0=412 tile (0.94); the
    # x0=488 tile is left empty and dropped
    out, jobs, stats = plan_tiles(_scene(), min_area_ratio=0.6)
    assert [im['file_name'] for im in out['images']] == [
        'images/small_0_0.png', 'images/big scene_0_0.png',
        'images/big scene_412_0.png'
    ]
    assert stats['boxes_dropped_area'] == 2
    assert stats['tiles_empty'] == stats['tiles_empty_dropped'] == 1
    assert stats['boxes_out'] == 3 and stats['boxes_lost'] == 0
    out, jobs, stats = plan_tiles(
        _scene(), min_area_ratio=0.6, keep_empty=True)
    assert out['images'][-1]['file_name'] == 'images/big scene_488_0.png'
    assert stats['tiles_kept'] == 4 and stats['tiles_empty_dropped'] == 0
    # 0.95: the big box is kept nowhere -> counted as lost
    _, _, stats = plan_tiles(_scene(), min_area_ratio=0.95)
    assert stats['boxes_lost'] == 1 and stats['boxes_dropped_area'] == 3


@pytest.mark.parametrize('mutate, needle', [
    (lambda c: c.pop('annotations'), 'no "annotations" list'),
    (lambda c: c['images'][0].pop('width'), 'images[0]'),
    (lambda c: c['annotations'][1].update(bbox=[1, 2, 3]), 'id 11'),
    (lambda c: c['annotations'][0].update(image_id=99), 'image_id 99'),
    (lambda c: c['annotations'][0].update(category_id=5), 'category_id 5'),
])
def test_validate_coco_names_the_entry(mutate, needle):
    coco = _scene()
    mutate(coco)
    with pytest.raises(TilingError, match='x.json') as err:
        validate_coco(coco, 'x.json')
    assert needle in str(err.value)


def _write_dataset(root: Path) -> Path:
    """Images with spaces in their folder, sizes 150x100 and 40x50."""
    rng = np.random.default_rng(1)
    (root / 'src dir').mkdir(parents=True)
    coco = dict(
        images=[
            dict(id=1, file_name='src dir/a 1.jpg', width=150, height=100),
            dict(id=2, file_name='src dir/b.png', width=40, height=50),
        ],
        annotations=[
            dict(
                id=1,
                image_id=1,
                category_id=1,
                bbox=[50, 20, 30, 30],
                area=900,
                iscrowd=0),
            dict(
                id=2,
                image_id=1,
                category_id=2,
                bbox=[120, 60, 20, 30],
                area=600,
                iscrowd=1),
            dict(
                id=3,
                image_id=2,
                category_id=1,
                bbox=[0, 0, 10, 10],
                area=100,
                iscrowd=0),
        ],
        categories=CATS)
    cv2.imwrite(
        str(root / 'src dir' / 'a 1.jpg'),
        rng.integers(0, 256, (100, 150, 3), dtype=np.uint8))
    cv2.imwrite(
        str(root / 'src dir' / 'b.png'),
        rng.integers(0, 256, (50, 40, 3), dtype=np.uint8))
    path = root / 'in.json'
    path.write_text(json.dumps(coco))
    return path


def _digests(root: Path) -> dict:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob('*')) if p.is_file()
    }


def test_split_tiles_deterministic_and_idempotent(tmp_path):
    split_tiles = _load_tool().split_tiles
    in_json = _write_dataset(tmp_path / 'data')
    kw = dict(tile=64, overlap=16, progress=False)
    s1 = split_tiles(
        str(in_json),
        str(tmp_path / 'data'),
        str(tmp_path / 'o1'),
        nproc=1,
        **kw)
    s2 = split_tiles(
        str(in_json),
        str(tmp_path / 'data'),
        str(tmp_path / 'o2'),
        nproc=2,
        **kw)
    d1, d2 = _digests(tmp_path / 'o1'), _digests(tmp_path / 'o2')
    assert d1 == d2
    # a 1.jpg, 150 x 100: x starts 0, 48, 86; y starts 0, 36 -> 6 tiles.
    # Box 1 (x 50..80, y 20..50, 900 px^2): (48, 0) holds all of it; in
    # (0, 0) and (48, 36) 14 x 30 / 900 = 0.47 < 0.5 is visible, in
    # (0, 36) 14 x 14 / 900. Box 2 (x 120..140, y 60..90, iscrowd): all in
    # (86, 36), 20 x 4 / 600 in (86, 0). b.png, 40 x 50: one padded tile.
    out = json.loads((tmp_path / 'o1' / 'in.json').read_text())
    assert [im['file_name'] for im in out['images']] == [
        'images/a 1_48_0.png', 'images/a 1_86_36.png', 'images/b_0_0.png'
    ]
    assert [(a['image_id'], a['bbox'], a['iscrowd'])
            for a in out['annotations']] == [(1, [2, 20, 30, 30], 0),
                                             (2, [34, 24, 20, 30], 1),
                                             (3, [0, 0, 10, 10], 0)]
    assert s1['tiles_total'] == 7 and s1['tiles_empty_dropped'] == 4
    assert s1['boxes_dropped_area'] == 4
    assert s1['tiles_written'] == 3 == s2['tiles_written']
    # tile pixels equal the source crop, zero-padded
    src = cv2.imread(str(tmp_path / 'data' / 'src dir' / 'b.png'))
    tile = cv2.imread(str(tmp_path / 'o1' / 'images' / 'b_0_0.png'))
    assert tile.shape == (64, 64, 3)
    np.testing.assert_array_equal(tile[:50, :40], src)
    assert not tile[50:].any() and not tile[:, 40:].any()
    # re-run: nothing rewritten, same bytes, mtimes untouched
    mtimes = {p: p.stat().st_mtime_ns for p in (tmp_path / 'o1').rglob('*')}
    s3 = split_tiles(
        str(in_json),
        str(tmp_path / 'data'),
        str(tmp_path / 'o1'),
        nproc=2,
        **kw)
    assert s3['tiles_written'] == 0 and s3['tiles_unchanged'] == 3
    assert s3['json_written'] is False
    assert {p: p.stat().st_mtime_ns
            for p in (tmp_path / 'o1').rglob('*')} == mtimes
    # a damaged tile is replaced
    (tmp_path / 'o1' / 'images' / 'b_0_0.png').write_bytes(b'junk')
    s4 = split_tiles(
        str(in_json),
        str(tmp_path / 'data'),
        str(tmp_path / 'o1'),
        nproc=1,
        **kw)
    assert s4['tiles_written'] == 1 and _digests(tmp_path / 'o1') == d1


def _run(*args):
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS='1')
    return subprocess.run(
        [sys.executable, str(TOOL)] + [str(a) for a in args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300)


def test_cli_summary_and_bad_input(tmp_path):
    in_json = _write_dataset(tmp_path / 'my data')
    root = tmp_path / 'my data'
    res = _run(in_json, root, tmp_path / 'out dir', '--tile', 64, '--overlap',
               16, '--min-area-ratio', 0.5, '--nproc', 2)
    assert res.returncode == 0, res.stderr
    assert '2 images in -> 3 tiles out of 7' in res.stdout
    assert 'boxes: 3 in,' in res.stdout
    assert (tmp_path / 'out dir' / 'images' / 'a 1_86_36.png').is_file()
    # a missing image: exit 2, one line naming the file and the json
    (root / 'src dir' / 'b.png').unlink()
    res = _run(in_json, root, tmp_path / 'o')
    assert res.returncode == 2 and 'Traceback' not in res.stderr
    line = res.stderr.strip().splitlines()[-1]
    assert line.startswith('split_tiles.py: error:')
    assert 'b.png' in line and str(in_json) in line and 'missing' in line
    # not a COCO json
    bad = tmp_path / 'bad.json'
    bad.write_text('[1, 2]')
    res = _run(bad, root, tmp_path / 'o')
    assert res.returncode == 2
    assert str(bad) in res.stderr and 'not a COCO json' in res.stderr


def test_benchmark_tiling_reports_throughput(tmp_path, capsys):
    path = REPO / 'tools' / 'analysis_tools' / 'benchmark_tiling.py'
    module = load_script(path, 'benchmark_tiling')
    in_json = _write_dataset(tmp_path / 'data')
    assert module.main([
        str(in_json),
        str(tmp_path / 'data'), '--tile', '64', '--overlap', '16', '--nproc',
        '1', '--repeat', '2', '--tmp-dir',
        str(tmp_path)
    ]) == 0
    out = capsys.readouterr().out
    assert '2 images -> 3 tiles (64 px, overlap 16' in out
    assert re.search(r'nproc 1: [\d.]+ s \(median of 2\) = [\d.]+ images/s',
                     out)
    # the temporary outputs are removed
    assert sorted(p.name for p in tmp_path.iterdir()) == ['data']

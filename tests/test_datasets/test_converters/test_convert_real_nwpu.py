# Copyright (c) mmrsod contributors. All rights reserved.
"""Convert the real NWPU VHR-10 release when it is available.

The expected counts are checked two ways: hard-coded (650 positive images,
3896 boxes, and the per-class counts, counted by hand from
``ground truth/*.txt`` with a separate script when this test was written)
and recomputed here from the txt files with a parser independent of the
converter's.
"""
import json
import os
import os.path as osp
from collections import Counter
from pathlib import Path

import pytest

from mmrsod.datasets.converters import convert_nwpu_vhr10
from mmrsod.datasets.nwpu_vhr10 import NWPUVHR10Dataset

REPO = Path(__file__).resolve().parents[3]
NWPU_ROOT = os.environ.get(
    'MMRSOD_NWPU_ROOT',
    str(REPO.parent / 'shared' / 'data' / 'det' / 'NWPU VHR-10 dataset'))
# airplane, ship, storage tank, baseball diamond, tennis court, basketball
# court, ground track field, harbor, bridge, vehicle
EXPECTED_PER_CLASS = [757, 302, 655, 390, 524, 159, 163, 224, 124, 598]


def _count_from_txt(gt_dir):
    counts, boxes = Counter(), 0
    for name in os.listdir(gt_dir):
        with open(osp.join(gt_dir, name)) as f:
            for line in f:
                fields = line.replace('(', ' ').replace(')', ' ').split(',')
                if line.strip():
                    counts[int(fields[-1])] += 1
                    boxes += 1
    return boxes, [counts[c] for c in range(1, 11)]


@pytest.mark.skipif(
    not osp.isdir(NWPU_ROOT),
    reason=f'real NWPU VHR-10 data not found at {NWPU_ROOT!r} (set '
    'MMRSOD_NWPU_ROOT to the release folder to run this test)')
def test_real_nwpu_vhr10(tmp_path):
    boxes, per_class = _count_from_txt(osp.join(NWPU_ROOT, 'ground truth'))
    assert boxes == 3896 and per_class == EXPECTED_PER_CLASS
    report = convert_nwpu_vhr10(NWPU_ROOT, str(tmp_path))
    classes = NWPUVHR10Dataset.METAINFO['classes']
    images = sum(s['images'] for s in report.splits.values())
    assert images == 650
    assert [report.splits[s]['images']
            for s in ('train', 'val', 'test')] == [390, 130, 130]
    assert sum(s['boxes'] for s in report.splits.values()) == 3896
    assert [
        sum(s['boxes_per_class'][c] for s in report.splits.values())
        for c in classes
    ] == EXPECTED_PER_CLASS
    # nothing skipped or clipped; the release's 24 blank lines are noted
    assert not report.skipped
    assert dict(report.notes) == {'blank line': 24}
    names = set()
    for split in ('train', 'val', 'test'):
        with open(tmp_path / f'nwpu_vhr10_{split}.json') as f:
            coco = json.load(f)
        split_names = {im['file_name'] for im in coco['images']}
        assert not names & split_names
        names |= split_names
    assert len(names) == 650

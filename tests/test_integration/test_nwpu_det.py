# Copyright (c) mmrsod contributors. All rights reserved.
"""Integration: the real NWPU VHR-10 positives through the converter and the
tiler CLIs, then a few training iterations of the ResNet-18 RetinaNet
student on the 2x LR tiles through tools/train.py and a COCO evaluation
through tools/test.py.

The whole release is converted (the counts are checked); to stay in the CI
budget only the first ``SUBSET`` images (a symlinked copy of the release
layout) are converted again and tiled at 512/100 with two processes.
"""
import json
import re
import sys
from pathlib import Path

import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nwpu_data as nwpu  # noqa: E402 # isort: skip

SUBSET = 16

CONFIG = '''
_base_ = ['{repo}/configs/retinanet/retinanet_r18_fpn_1xb2-12e_nwpu-lr2x.py']
data_root = '{root}/'
# no download in tests; score threshold 0 as after 3 iterations no score
# reaches the config's 0.05 and the metric would have nothing to evaluate
model = dict(backbone=dict(init_cfg=None), test_cfg=dict(score_thr=0.0))
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters=3)
val_dataloader = None
val_cfg = None
val_evaluator = None
param_scheduler = []
train_dataloader = dict(
    num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root))
test_dataloader = dict(
    num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root))
test_evaluator = dict(ann_file=data_root + 'nwpu_vhr10_test.json')
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(by_epoch=False, interval=3))
log_processor = dict(by_epoch=False)
'''


@pytest.mark.skipif(not nwpu.has_nwpu(), reason=nwpu.NWPU_MISSING)
def test_nwpu_convert_tile_train_test(tmp_path):
    tools = nwpu.REPO / 'tools'
    # 1. the whole release: 650 positives, 3896 boxes (checked counts)
    nwpu.run([
        tools / 'dataset_converters' / 'nwpu_vhr10.py', nwpu.NWPU,
        tmp_path / 'full'
    ])
    images = boxes = 0
    for split in ('train', 'val', 'test'):
        coco = json.loads(
            (tmp_path / 'full' / f'nwpu_vhr10_{split}.json').read_text())
        images += len(coco['images'])
        boxes += len(coco['annotations'])
    assert (images, boxes) == (650, 3896)

    # 2. a subset in the release layout (folder names with spaces)
    sub = nwpu.link_subset(tmp_path / 'NWPU subset', SUBSET)
    nwpu.run([
        tools / 'dataset_converters' / 'nwpu_vhr10.py', sub, tmp_path / 'coco'
    ])
    split_dir = tmp_path / 'nwpu_vhr10_split'
    for split in ('train', 'val', 'test'):
        out = nwpu.run([
            tools / 'dataset_converters' / 'split_tiles.py',
            tmp_path / 'coco' / f'nwpu_vhr10_{split}.json', sub, split_dir,
            '--tile', 512, '--overlap', 100, '--nproc', 2
        ])
        assert re.search(r'\d+ images in -> \d+ tiles out of \d+', out)
        src = json.loads(
            (tmp_path / 'coco' / f'nwpu_vhr10_{split}.json').read_text())
        tiled = json.loads(
            (split_dir / f'nwpu_vhr10_{split}.json').read_text())
        # tiles only come from this split's images (split by source image)
        assert {t['source']
                for t in tiled['images']
                } <= {im['file_name']
                      for im in src['images']}
        for tile in tiled['images'][:3]:
            with Image.open(split_dir / tile['file_name']) as img:
                assert img.size == (512, 512)
        for ann in tiled['annotations']:
            x, y, w, h = ann['bbox']
            assert 0 <= x and 0 <= y and x + w <= 512 and y + h <= 512
    n_png = len(list((split_dir / 'images').glob('*.png')))
    n_json = sum(
        len(
            json.loads((split_dir /
                        f'nwpu_vhr10_{s}.json').read_text())['images'])
        for s in ('train', 'val', 'test'))
    assert n_png == n_json

    # 3. three iterations of the R18 RetinaNet student on the LR tiles
    cfg = tmp_path / 'retinanet_r18_nwpu_smoke.py'
    cfg.write_text(
        CONFIG.format(repo=nwpu.REPO.as_posix(), root=split_dir.as_posix()))
    work = tmp_path / 'work'
    log = nwpu.run([tools / 'train.py', cfg, '--work-dir', work])
    log = (work /
           sorted(p.name
                  for p in work.iterdir() if p.is_dir())[-1]).glob('*.log')
    text = next(log).read_text()
    assert 'Iter(train) [3/3]' in text
    losses = [float(x) for x in re.findall(r'\bloss: ([\d.]+)', text)]
    assert len(losses) == 3 and all(0 < v < 1e4 for v in losses)

    # 4. COCO evaluation on the test tiles, in the HR frame
    out = nwpu.run(
        [tools / 'test.py', cfg, work / 'iter_3.pth', '--work-dir', work])
    assert re.search(r'bbox_mAP: -?[\d.]+', out)
    assert 'bbox_mAP_50' in out and 'airplane' in out  # classwise table

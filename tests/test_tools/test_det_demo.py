# Copyright (c) mmrsod contributors. All rights reserved.
"""Smoke test of the detection demo path (``tools/run_demo.sh --demo det``):
generator -> NWPU converter -> split_tiles.py -> tools/train.py (2
iterations of the demo config) -> tools/test.py printing the COCO table
(score threshold 0: after 2 iterations no score reaches the config's
0.05)."""
import json
import re
import sys


def test_det_demo_runs_end_to_end(tmp_path, run_cmd, repo_root):
    data, split, work = tmp_path / 'demo det', tmp_path / 'split dir', \
        tmp_path / 'work'
    out = run_cmd([
        'bash',
        str(repo_root / 'tools' / 'run_demo.sh'), '--demo', 'det', '--',
        'train_cfg.max_iters=2', 'model.test_cfg.score_thr=0.0'
    ],
                  env_extra=dict(
                      MMRSOD_PY=sys.executable,
                      MMRSOD_DET_DEMO_DATA=str(data),
                      MMRSOD_DET_DEMO_SPLIT=str(split),
                      MMRSOD_DET_DEMO_WORK_DIR=str(work),
                      MMRSOD_DET_DEMO_IMAGES='8'),
                  timeout=600)
    log = out.stdout + out.stderr
    assert out.returncode == 0, log[-4000:]
    generated = json.loads((data / 'demo_data.json').read_text())
    assert generated['num_images'] == 8
    # the converter saw every generated box, split by source image
    report = json.loads(
        (split / 'whole_images' / 'nwpu_vhr10_report.json').read_text())
    assert sum(s['images'] for s in report['splits'].values()) == 8
    assert sum(s['boxes'] for s in report['splits'].values()) == \
        generated['num_boxes']
    # tiles at 256 px, then 2 training iterations and a COCO evaluation
    tiled = json.loads((split / 'nwpu_vhr10_test.json').read_text())
    assert tiled['images'] and all(im['width'] == 256
                                   for im in tiled['images'])
    assert 'Saving checkpoint at 2 iterations' in log
    assert (work / 'iter_2.pth').is_file()
    assert re.search(r'bbox_mAP_copypaste: [-\d. ]+', log)
    assert re.search(r'\| airplane +\|', log)  # the classwise table
    assert re.search(r'\[demo\] data \d+s, train \d+s, test \d+s', log)

# Copyright (c) mmrsod contributors. All rights reserved.
"""tools/train.py and tools/test.py on a tiny detection config.

RetinaNet R18-FPN from mmdet's own config (``mmdet::``), the LR/HR
pipeline (128 px HR images -> 64 px LR input) and NWPUVHR10Dataset on a
generated COCO set of three images; batch 1 per process, which mmdet's
``norm_eval=True`` backbone allows.
"""
import json
import pickle
from pathlib import Path

import cv2
import numpy as np

TINY_DET_CONFIG = '''
_base_ = 'mmdet::retinanet/retinanet_r18_fpn_1x_coco.py'
custom_imports = dict(
    imports=['mmrsod.datasets', 'mmrsod.models', 'mmrsod.evaluation',
             'mmrsod.engine'],
    allow_failed_imports=False)
data_root = '{data_root}'
model = dict(
    backbone=dict(init_cfg=None),
    bbox_head=dict(num_classes=10),
    # 3 iterations from scratch score everything near the prior (0.01)
    test_cfg=dict(score_thr=0.0, max_per_img=20))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='DownsampleToLR', scale=2),
    dict(type='PackDetSRInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='DownsampleToLR', scale=2, keep_hr=False),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetSRInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                    'scale_factor')),
]
train_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        _delete_=True,
        type='NWPUVHR10Dataset',
        data_root=data_root,
        ann_file='tiny.json',
        data_prefix=dict(img='images/'),
        filter_cfg=dict(filter_empty_gt=True),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        _delete_=True,
        type='NWPUVHR10Dataset',
        data_root=data_root,
        ann_file='tiny.json',
        data_prefix=dict(img='images/'),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(
    _delete_=True,
    type='CocoPRCurveMetric',
    ann_file=data_root + '/tiny.json',
    metric='bbox',
    classwise=True,
    pr_curve_dir=None)
test_evaluator = val_evaluator
train_cfg = dict(max_epochs=1, val_interval=10)
param_scheduler = []
default_hooks = dict(logger=dict(interval=1))
randomness = dict(seed=0)
'''

CLASSES = ('airplane', 'ship', 'storage tank')


def _make_dataset(root: Path) -> None:
    rng = np.random.default_rng(0)
    (root / 'images').mkdir(parents=True)
    images, anns = [], []
    for i in range(3):
        img = rng.integers(60, 120, (128, 128, 3), dtype=np.uint8)
        x, y = 16 + 20 * i, 24 + 8 * i
        img[y:y + 40, x:x + 48] = (230, 200, 40)
        name = f'img {i}.png'  # a space, as in the official folders
        cv2.imwrite(str(root / 'images' / name), img)
        images.append(dict(id=i + 1, file_name=name, width=128, height=128))
        anns.append(
            dict(
                id=i + 1,
                image_id=i + 1,
                category_id=i + 1,
                bbox=[x, y, 48, 40],
                area=48 * 40,
                iscrowd=0))
    cats = [dict(id=i + 1, name=n) for i, n in enumerate(CLASSES)]
    (root / 'tiny.json').write_text(
        json.dumps(dict(images=images, annotations=anns, categories=cats)))


def test_train_and_test_a_detection_config(tmp_path, tool):
    """Train 3 iterations, then test with --show-dir, --out and PR curves;
    --out-dir (SOD only) is refused with one line."""
    _make_dataset(tmp_path / 'data')
    cfg = tmp_path / 'tiny_retinanet.py'
    cfg.write_text(
        TINY_DET_CONFIG.format(data_root=(tmp_path / 'data').as_posix()))
    proc = tool('train.py', cfg, '--work-dir', tmp_path / 'work')
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = proc.stdout + proc.stderr
    # 3 images, batch 1 (allowed: norm_eval=True backbone), 3 iterations
    assert 'Epoch(train) [1][3/3]' in log
    assert 'loss_cls' in log and 'loss_bbox' in log
    ckpt = tmp_path / 'work' / 'epoch_1.pth'
    assert ckpt.is_file()

    show_dir, pkl = tmp_path / 'show', tmp_path / 'preds.pkl'
    proc = tool('test.py', cfg, ckpt, '--work-dir', tmp_path / 'test_work',
                '--show-dir', show_dir, '--out', pkl, '--cfg-options',
                f'test_evaluator.pr_curve_dir={(tmp_path / "pr").as_posix()}')
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = proc.stdout + proc.stderr
    assert 'bbox_mAP_copypaste' in log and 'storage tank' in log
    drawn = sorted(p.name for p in show_dir.iterdir())
    assert drawn == ['img 0.png', 'img 1.png', 'img 2.png']
    vis = cv2.imread(str(show_dir / 'img 0.png'))
    # DetLocalVisualizer draws GT (left) and prediction (right) side by
    # side on the HR image: predictions come back in the HR frame
    assert vis.shape == (128, 256, 3)
    with open(pkl, 'rb') as f:
        dumped = pickle.load(f)
    assert len(dumped) == 3
    assert dumped[0]['ori_shape'] == (128, 128)
    assert dumped[0]['img_shape'] == (64, 64)
    assert 'gt_instances' not in dumped[0]  # DumpDetResults drops the GT
    assert dumped[0]['pred_instances']['bboxes'].shape[1] == 4
    assert (tmp_path / 'pr' / 'pr_curve_summary.png').is_file()

    proc = tool('test.py', cfg, ckpt, '--out-dir', tmp_path / 'maps')
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].startswith(
        'test.py: error: --out-dir writes saliency maps and needs a '
        'SODMetric in test_evaluator, which a detection config '
        '(default_scope=mmdet) does not have')
    assert not (tmp_path / 'maps').exists()

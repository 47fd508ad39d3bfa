# Copyright (c) mmrsod contributors. All rights reserved.
"""tools/train.py + tools/test.py on detection baselines: a few iterations
of the small-input DINO Swin-T and of the ResNet-18 Faster R-CNN student on
a tiny generated COCO set (4 HR images of 256 px, network input 128 px).

The LR step here is test-local (mmdet's Resize by 0.5, PackDetInputs,
CocoMetric; see det_tiny_data.py) until the project's LR/HR transforms
replace it.
"""
import json
import pickle
import re
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import det_tiny_data as tiny  # noqa: E402 # isort: skip

CASES = {
    # 128 px input: 340 encoder tokens, so num_queries must be <= 340
    'dino_swin-t':
    ('dino/dino-4scale_swin-t_1xb2-12e_nwpu-lr2x.py', ', num_queries=100'),
    'faster-rcnn_r18':
    ('faster_rcnn/faster-rcnn_r18_fpn_1xb2-12e_nwpu-lr2x.py', ''),
}


def _coco_map(ann_file: str, samples: list) -> float:
    """COCO bbox mAP of dumped predictions, by pycocotools directly."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval
    gt = COCO(ann_file)
    dets = []
    for sample in samples:
        pred = sample['pred_instances']
        for box, score, label in zip(pred['bboxes'].tolist(),
                                     pred['scores'].tolist(),
                                     pred['labels'].tolist()):
            x1, y1, x2, y2 = box
            dets.append(
                dict(
                    image_id=sample['img_id'],
                    bbox=[x1, y1, x2 - x1, y2 - y1],
                    score=score,
                    category_id=label + 1))
    if not dets:
        return 0.0
    evaluator = COCOeval(gt, gt.loadRes(dets), 'bbox')
    evaluator.evaluate()
    evaluator.accumulate()
    evaluator.summarize()
    return float(evaluator.stats[0])


@pytest.mark.parametrize('case', sorted(CASES))
def test_train_then_test(case, tiny_coco, tmp_path, tool):
    base, model_extra = CASES[case]
    cfg, _ = tiny.write_config(
        tmp_path / f'{case}.py', base, tiny_coco, model_extra=model_extra)
    work = tmp_path / 'work'
    out = tool('train.py', cfg, '--work-dir', work)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]
    log = out.stdout + out.stderr
    # 4 images, batch 2, 1 epoch: two iterations, both with a finite loss
    losses = [
        float(v) for v in re.findall(
            r'Epoch\(train\) +\[1\]\[\d/2\].*? loss: ([\d.]+)', log)
    ]
    assert len(losses) == 2 and all(np.isfinite(losses)), log[-3000:]
    ckpt = work / 'epoch_1.pth'
    assert ckpt.is_file()

    pkl = tmp_path / 'preds.pkl'
    out = tool('test.py', cfg, ckpt, '--work-dir', tmp_path / 'test', '--out',
               pkl)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]
    log = out.stdout + out.stderr
    # per-class table: one row per NWPU class
    for name in tiny.NWPU_CLASSES:
        assert re.search(rf'\| {name} +\|', log), name
    logged = re.findall(r'coco/bbox_mAP: (-?[\d.]+)', log)
    assert logged, log[-3000:]
    with open(pkl, 'rb') as f:
        samples = pickle.load(f)
    assert len(samples) == 4
    for sample in samples:
        # evaluated in the HR frame: 256 px original, 128 px network input
        assert tuple(sample['ori_shape']) == (tiny.HR_SIZE, tiny.HR_SIZE)
        assert tuple(sample['img_shape']) == (tiny.HR_SIZE // 2,
                                              tiny.HR_SIZE // 2)
        boxes = sample['pred_instances']['bboxes']
        if len(boxes):
            assert float(boxes.min()) >= 0
            assert float(boxes.max()) <= tiny.HR_SIZE
    if case.startswith('dino'):
        # 300 boxes per image (test_cfg.max_per_img) spread over the image:
        # coordinates beyond the 128 px LR frame prove the HR mapping
        assert all(len(s['pred_instances']['bboxes']) == 300 for s in samples)
        assert max(
            float(s['pred_instances']['bboxes'].max())
            for s in samples) > tiny.HR_SIZE // 2
    ann = str(tiny_coco / 'nwpu_vhr10_test.json')
    assert len(json.loads(open(ann).read())['images']) == 4
    # the logged mAP is pycocotools' on the dumped predictions (to 3 places)
    assert abs(float(logged[-1]) - _coco_map(ann, samples)) < 5e-4


def test_dino_small_input_is_one_line_error(tiny_coco, tmp_path, tool):
    """900 queries on a 128 px input (340 tokens): train.py stops with one
    line naming model.num_queries, the token count and the input size."""
    cfg, _ = tiny.write_config(
        tmp_path / 'dino_900.py',
        'dino/dino-4scale_swin-t_1xb2-12e_nwpu-lr2x.py', tiny_coco)
    out = tool('train.py', cfg, '--work-dir', tmp_path / 'w')
    assert out.returncode == 2, out.stderr[-3000:]
    assert 'Traceback' not in out.stderr
    assert out.stderr.strip().splitlines()[-1] == (
        'train.py: error: model.num_queries=900 exceeds the 340 encoder '
        'tokens (256 + 64 + 16 + 4) of a 128x128 input: set '
        'model.num_queries<=340 or use a larger input')

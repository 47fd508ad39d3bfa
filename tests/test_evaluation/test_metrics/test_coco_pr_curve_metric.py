# Copyright (c) mmrsod contributors. All rights reserved.
"""CocoPRCurveMetric on hand-made ground truth and predictions.

Image 1 (200x200) has two GT boxes of class A (40x40, COCO 'medium') and
one of class B (30x30 = 900 px < 32^2, 'small'); class C has none. The
predictions of A, by score: 0.9 on the first A box (IoU 1), 0.8 on
background, 0.7 on the second A box (IoU 1). Precision/recall after each
detection: (1, 0.5), (0.5, 0.5), (2/3, 1). COCO's interpolated precision
at the 101 recall thresholds is 1 for r <= 0.5 (51 points) and 2/3 for
r > 0.5 (50 points): AP_A = (51 + 50 * 2/3) / 101 = 0.83498 at every IoU
threshold. B is predicted exactly: AP_B = 1. So mAP = mAP_50 = mAP_75 =
(AP_A + AP_B) / 2 = 0.91749, mAP_s = AP_B = 1, mAP_m = AP_A.
"""
import json
import os.path as osp

import numpy as np
import pytest
import torch

from mmrsod.evaluation.metrics import CocoPRCurveMetric
from mmrsod.evaluation.metrics.coco_pr_curve_metric import class_file_stem

AP_A = (51 + 50 * 2 / 3) / 101
CLASSES = ('A', 'B', 'class C')


def _write_gt(path):
    boxes = [(1, [10, 10, 40, 40]), (1, [100, 100, 40, 40]),
             (2, [150, 20, 30, 30])]
    gt = dict(
        images=[dict(id=1, file_name='a.png', width=200, height=200)],
        annotations=[
            dict(
                id=i + 1,
                image_id=1,
                category_id=c,
                bbox=b,
                area=b[2] * b[3],
                iscrowd=0) for i, (c, b) in enumerate(boxes)
        ],
        categories=[dict(id=i + 1, name=n) for i, n in enumerate(CLASSES)])
    path.write_text(json.dumps(gt))
    return str(path)


def _prediction():
    return dict(
        img_id=1,
        ori_shape=(200, 200),
        pred_instances=dict(
            bboxes=torch.tensor([[10., 10., 50., 50.], [60., 150., 90., 190.],
                                 [100., 100., 140., 140.],
                                 [150., 20., 180., 50.]]),
            scores=torch.tensor([0.9, 0.8, 0.7, 0.6]),
            labels=torch.tensor([0, 0, 0, 1])))


def _evaluate(ann_file, **kwargs):
    metric = CocoPRCurveMetric(ann_file=ann_file, classwise=True, **kwargs)
    metric.dataset_meta = dict(classes=CLASSES)
    metric.process({}, [_prediction()])
    return metric.evaluate(size=1)


def test_pr_curves_match_hand_computed_precision(tmp_path):
    ann_file = _write_gt(tmp_path / 'gt.json')
    out = tmp_path / 'pr'
    results = _evaluate(ann_file, pr_curve_dir=str(out))
    assert results['coco/bbox_mAP'] == pytest.approx(round((AP_A + 1) / 2, 3))
    assert results['coco/bbox_mAP_50'] == results['coco/bbox_mAP']
    assert results['coco/bbox_mAP_s'] == 1.0
    assert results['coco/bbox_mAP_m'] == pytest.approx(round(AP_A, 3))
    assert results['coco/A_precision'] == pytest.approx(round(AP_A, 3))
    # the parent's metrics are unchanged by the PR-curve option
    np.testing.assert_equal(_evaluate(ann_file), results)  # NaN == NaN

    curves = json.loads((out / 'pr_curves.json').read_text())
    recall = np.array(curves['recall'])
    assert len(recall) == 101
    a, b, c = curves['classes']
    p50 = np.array(a['precision_iou50'])
    np.testing.assert_allclose(p50[recall <= 0.5 + 1e-9], 1.0)
    np.testing.assert_allclose(p50[recall > 0.5 + 1e-9], 2 / 3)
    # IoU is 1 for the matches: the same curve at every threshold
    np.testing.assert_allclose(a['precision_mean'], p50)
    assert a['ap50'] == pytest.approx(AP_A)
    np.testing.assert_allclose(b['precision_iou50'], 1.0)
    assert c['precision_iou50'] is None and 'file' not in c

    pngs = sorted(p.name for p in out.glob('*.png'))
    assert pngs == sorted([
        class_file_stem(0, 'A') + '.png',
        class_file_stem(1, 'B') + '.png', 'pr_curve_summary.png'
    ])
    for name in pngs:
        assert (out / name).read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    assert not list(out.glob('.*.tmp'))  # atomic writes left nothing
    assert class_file_stem(2, 'storage tank') == 'pr_curve_02_storage_tank'


def test_given_outfile_prefix_is_kept(tmp_path):
    ann_file = _write_gt(tmp_path / 'gt.json')
    prefix = str(tmp_path / 'keep' / 'res')
    (tmp_path / 'keep').mkdir()
    _evaluate(
        ann_file, pr_curve_dir=str(tmp_path / 'pr'), outfile_prefix=prefix)
    assert osp.isfile(prefix + '.bbox.json')
    assert (tmp_path / 'pr' / 'pr_curve_summary.png').is_file()

# Copyright (c) mmrsod contributors. All rights reserved.
import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from mmrsod.evaluation.functional import (SOD_METRIC_KEYS,
                                          aggregate_sod_statistics,
                                          read_gray_map, sod_image_statistics)
from mmrsod.testing import load_script

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / 'tools' / 'analysis_tools' / 'eval_saliency.py'


def _run_tool(*args, timeout=120):
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        [str(REPO)] + [p for p in [env.get('PYTHONPATH')] if p])
    return subprocess.run(
        [sys.executable, str(TOOL), *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout)


@pytest.fixture()
def maps(tmp_path):
    """5 GT masks (one RGB) and maps named <stem>_M.<ext>: one JPG, one of
    another size, one RGB."""
    rng = np.random.default_rng(0)
    gt_dir, pred_dir = tmp_path / 'gt', tmp_path / 'pred'
    gt_dir.mkdir()
    pred_dir.mkdir()
    for i in range(5):
        h, w = 40 + 4 * i, 50 - 3 * i
        gt = np.zeros((h, w), np.uint8)
        gt[5:20 + i, 8:30] = 255
        pred = cv2.GaussianBlur(gt, (9, 9), 3).astype(np.float64)
        pred = np.clip(pred + rng.normal(0, 20, (h, w)), 0, 255)
        pred = pred.astype(np.uint8)
        gt_img = np.dstack([gt] * 3) if i == 1 else gt
        cv2.imwrite(str(gt_dir / f'{i:04d}.png'), gt_img)
        if i == 2:
            cv2.imwrite(str(pred_dir / f'{i:04d}_M.jpg'), pred)
        elif i == 3:
            cv2.imwrite(
                str(pred_dir / f'{i:04d}_M.png'), cv2.resize(pred, (32, 32)))
        elif i == 4:
            cv2.imwrite(
                str(pred_dir / f'{i:04d}_M.png'), np.dstack([pred] * 3))
        else:
            cv2.imwrite(str(pred_dir / f'{i:04d}_M.png'), pred)
    (pred_dir / 'unrelated.png').write_bytes(b'ignored: matches no GT')
    return gt_dir, pred_dir


def test_default_protocol_json(maps, tmp_path):
    gt_dir, pred_dir = maps
    out = tmp_path / 'res.json'
    proc = _run_tool(pred_dir, gt_dir, '--pred-suffix', '_M', '--out-json',
                     out, '--curves-dir', tmp_path / 'curves', '--nproc', 2)
    assert proc.returncode == 0, proc.stderr
    assert 'maxF' in proc.stdout and '5 maps' in proc.stdout
    res = json.loads(out.read_text())
    assert set(SOD_METRIC_KEYS) <= set(res)
    assert res['num_images'] == 5 and res['protocol'] == 'default'
    # same numbers as the shared per-image code on the same files
    records = [
        sod_image_statistics(
            read_gray_map(next(pred_dir.glob(f'{g.stem}_M.*'))),
            read_gray_map(g)) for g in sorted(gt_dir.glob('*.png'))
    ]
    expected = aggregate_sod_statistics(records)['metrics']
    for key in SOD_METRIC_KEYS:
        assert res[key] == expected[key], key
    assert (tmp_path / 'curves' / 'pr_curve.png').is_file()


def test_sral_protocol_with_attributes(maps, tmp_path):
    gt_dir, pred_dir = maps
    attr = tmp_path / 'attrs.txt'
    attr.write_text('0000 BSO\n0001 CS\n0002 CS\n0003,OC\n0004 OC SSO\n')
    out = tmp_path / 'res.json'
    proc = _run_tool(pred_dir, gt_dir, '--pred-suffix', '_M', '--protocol',
                     'sral', '--attribute-file', attr, '--out-json', out)
    assert proc.returncode == 0, proc.stderr
    res = json.loads(out.read_text())
    assert res['protocol'] == 'sral'
    assert set(SOD_METRIC_KEYS) <= set(res)
    assert {'SSIM_BSO', 'SSIM_CS', 'SSIM_OC', 'SSIM_SSO', 'SSIM_avg'
            } <= set(res)
    # (values: test_sral_protocol_hand_computed)


def test_sral_protocol_hand_computed(tmp_path):
    """Two 448 x 448 maps (no resizing): a perfect one and an empty one.

    GT: a 224 x 224 square in the middle (p = 1/4 of the pixels; centroid
    (224, 224), so every S-measure quadrant holds object and background).

    * perfect map: MAE 0; F is 1 at every threshold > 0 and, at threshold
      0 (every pixel positive: precision p, recall 1),
      F0 = 1.3 p / (0.3 p + 1); Sm 1 (object term 1, region SSIM 1);
      SSIM 1.
    * all-zero map: MAE p; F0 as above, 0 elsewhere (no positives);
      Sm = 0.5 * (1 - p) (object term: 0 on the object, 1 on the
      background; region SSIM 0); SSIM 0.
    """
    gt_dir, pred_dir = tmp_path / 'gt', tmp_path / 'pred'
    gt_dir.mkdir()
    pred_dir.mkdir()
    gt = np.zeros((448, 448), np.uint8)
    gt[112:336, 112:336] = 255
    for stem, pred in (('good', gt), ('zero', np.zeros_like(gt))):
        cv2.imwrite(str(gt_dir / f'{stem}.png'), gt)
        cv2.imwrite(str(pred_dir / f'{stem}.png'), pred)
    attr = tmp_path / 'attrs.txt'
    attr.write_text('good A\nzero B\n')
    out = tmp_path / 'res.json'
    proc = _run_tool(pred_dir, gt_dir, '--protocol', 'sral',
                     '--attribute-file', attr, '--out-json', out)
    assert proc.returncode == 0, proc.stderr
    res = json.loads(out.read_text())
    p = 0.25
    f0 = 1.3 * p / (0.3 * p + 1)
    assert res['MAE'] == pytest.approx((0 + p) / 2, abs=1e-12)
    assert res['maxF'] == pytest.approx((1 + 0) / 2, abs=1e-9)
    # F curve: f0 at threshold 0, then 254 x the mean of 1 and 0
    assert res['meanF'] == pytest.approx((f0 + 254 * 0.5) / 255, abs=1e-9)
    assert res['Sm'] == pytest.approx((1 + 0.5 * (1 - p)) / 2, abs=1e-9)
    assert res['SSIM_A'] == pytest.approx(1, abs=1e-9)
    assert res['SSIM_B'] == 0
    assert res['SSIM_avg'] == pytest.approx(0.5, abs=1e-9)
    # the progress bar goes to stderr; stdout keeps the table only
    assert '2/2' in proc.stderr and '2/2' not in proc.stdout


def test_missing_prediction_is_an_error(maps):
    gt_dir, pred_dir = maps
    (pred_dir / '0003_M.png').unlink()
    proc = _run_tool(pred_dir, gt_dir, '--pred-suffix', '_M')
    assert proc.returncode != 0
    assert '0003_M.*' in proc.stderr
    assert 'Traceback' not in proc.stderr


def _load_tool():
    """Import the script as a module (for fast in-process checks)."""
    return load_script(TOOL, 'eval_saliency')


def _run_main(monkeypatch, *args):
    """Run ``main()`` in-process; returns the exit status."""
    tool = _load_tool()
    monkeypatch.setattr(sys, 'argv', ['eval_saliency.py', *map(str, args)])
    return tool.main()


def test_unreadable_map_is_an_error(maps, monkeypatch, capsys):
    gt_dir, pred_dir = maps
    (pred_dir / '0001_M.png').write_bytes(b'garbage')
    assert _run_main(monkeypatch, pred_dir, gt_dir, '--pred-suffix', '_M') == 2
    assert '0001_M.png' in capsys.readouterr().err


def test_attribute_file_errors(maps, tmp_path, monkeypatch, capsys):
    gt_dir, pred_dir = maps
    attr = tmp_path / 'attrs.txt'
    attr.write_text('0000 BSO\n')
    assert _run_main(monkeypatch, pred_dir, gt_dir, '--pred-suffix', '_M',
                     '--attribute-file', attr) == 2
    err = capsys.readouterr().err
    assert 'missing from the attribute file' in err and '0001' in err
    attr.write_text('0000 BSO\n0001\n')
    assert _run_main(monkeypatch, pred_dir, gt_dir, '--pred-suffix', '_M',
                     '--attribute-file', attr) == 2
    assert 'attrs.txt:2: malformed' in capsys.readouterr().err


def test_matches_sod_metric_pred_dir(tmp_path):
    """Maps saved by SODMetric(pred_dir) evaluate to the metric's numbers."""
    import torch
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample

    from mmrsod.evaluation import SODMetric

    rng = np.random.default_rng(3)
    gt_dir = tmp_path / 'gt'
    gt_dir.mkdir()
    samples = []
    for i in range(3):
        gt = np.zeros((30, 36), np.float32)
        gt[3 + i:15, 4:20] = 1
        prob = np.clip(gt * 0.7 + rng.random((30, 36)) * 0.3, 0, 1)
        cv2.imwrite(str(gt_dir / f'im{i}.png'), (gt * 255).astype(np.uint8))
        sample = SegDataSample(metainfo=dict(img_path=f'x/im{i}.jpg'))
        sample.seg_logits = PixelData(
            data=torch.from_numpy(prob.astype(np.float32))[None])
        sample.gt_sem_seg = PixelData(data=torch.from_numpy(gt)[None])
        samples.append(sample.to_dict())
    metric = SODMetric(pred_dir=str(tmp_path / 'maps'))
    metric.process({}, samples)
    expected = metric.compute_metrics(metric.results)
    out = tmp_path / 'res.json'
    proc = _run_tool(tmp_path / 'maps', gt_dir, '--out-json', out)
    assert proc.returncode == 0, proc.stderr
    res = json.loads(out.read_text())
    for key in SOD_METRIC_KEYS:
        assert res[key] == expected[key], key


def test_match_predictions_in_process(maps):
    tool = _load_tool()
    gt_dir, pred_dir = maps
    pairs = tool.match_predictions(pred_dir, gt_dir, '_M')
    assert [p[0] for p in pairs] == ['0000', '0001', '0002', '0003', '0004']
    assert pairs[2][1].name == '0002_M.jpg'
    cv2.imwrite(str(pred_dir / '0000_M.jpg'), np.zeros((4, 4), np.uint8))
    with pytest.raises(ValueError, match='several maps'):
        tool.match_predictions(pred_dir, gt_dir, '_M')
    with pytest.raises(FileNotFoundError, match='5 of 5'):
        tool.match_predictions(pred_dir, gt_dir, '_X')
    with pytest.raises(FileNotFoundError, match='not a directory'):
        tool.match_predictions(pred_dir / 'nope', gt_dir, '')


def test_gt_read_like_the_dataset_pipeline(tmp_path):
    """GT masks go through the dataset's decoder (LoadSODAnnotations): a
    mask stored only in its alpha channel (RGB all white) is the object,
    not an all-white image."""
    from mmrsod.datasets.transforms import decode_sod_mask
    tool = _load_tool()
    mask = np.zeros((32, 32), np.uint8)
    mask[8:20, 10:24] = 255
    rgba = np.dstack([np.full_like(mask, 255)] * 3 + [mask])
    gt_path, pred_path = tmp_path / 'a.png', tmp_path / 'a_pred.png'
    cv2.imwrite(str(gt_path), rgba)
    cv2.imwrite(str(pred_path), mask)
    np.testing.assert_array_equal(
        decode_sod_mask(gt_path.read_bytes(), str(gt_path)), mask)
    record = tool.evaluate_pair(('a', str(pred_path), str(gt_path), 'default'))
    metrics = tool.aggregate_sod_statistics([record])['metrics']
    assert metrics['MAE'] == 0 and metrics['Sm'] == pytest.approx(1.0)


def test_unreadable_gt_is_an_error(maps, monkeypatch, capsys):
    gt_dir, pred_dir = maps
    (gt_dir / '0001.png').write_bytes(b'garbage')
    assert _run_main(monkeypatch, pred_dir, gt_dir, '--pred-suffix', '_M') == 2
    assert '0001.png' in capsys.readouterr().err

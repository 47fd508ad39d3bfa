# Copyright (c) mmrsod contributors. All rights reserved.
"""tools/test.py (metrics, --out-dir maps, --out pickle), get_flops.py,
benchmark.py and print_config.py on a briefly trained tiny SRAL model."""
import pickle
import re

import numpy as np
import pytest
from PIL import Image


@pytest.fixture
def trained(tmp_path, write_tiny_config, tool):
    cfg = write_tiny_config('tiny.py', max_iters=2, ckpt_interval=2)
    work = tmp_path / 'work'
    out = tool('train.py', cfg, '--work-dir', work)
    assert out.returncode == 0, out.stderr[-3000:]
    return cfg, work / 'iter_2.pth'


def test_test_py_metrics_maps_and_pickle(tmp_path, trained, tool,
                                         tiny_dataset):
    cfg, ckpt = trained
    maps, pkl = tmp_path / 'maps', tmp_path / 'res.pkl'
    out = tool('test.py', cfg, ckpt, '--work-dir', tmp_path / 'w', '--out-dir',
               maps, '--out', pkl)
    assert out.returncode == 0, out.stderr[-3000:]
    log = out.stdout + out.stderr
    for key in ('Sm', 'maxF', 'meanF', 'adpF', 'maxE', 'meanE', 'adpE', 'wF',
                'MAE'):
        assert re.search(rf'{key}: \d', log), key
    names = sorted(p.name for p in maps.glob('*.png'))
    assert len(names) == 4
    for name in names:
        pred = np.asarray(Image.open(maps / name))
        assert pred.dtype == np.uint8 and pred.shape == (96, 96)
    with open(pkl, 'rb') as f:
        results = pickle.load(f)
    assert len(results) == 4


def test_test_py_sral_map_format(tmp_path, trained, tool):
    """--out-format sral writes the authors' maps from the 2x output."""
    from mmrsod.evaluation.functional import sral_saliency_map
    cfg, ckpt = trained
    maps, pkl = tmp_path / 'maps', tmp_path / 'res.pkl'
    out = tool('test.py', cfg, ckpt, '--work-dir', tmp_path / 'w', '--out-dir',
               maps, '--out-format', 'sral', '--out', pkl)
    assert out.returncode == 0, out.stderr[-3000:]
    with open(pkl, 'rb') as f:
        results = pickle.load(f)
    assert len(results) == 4
    for sample in results:
        name = sample['img_path'].rsplit('/', 1)[-1].rsplit('.', 1)[0]
        saved = np.asarray(Image.open(maps / f'{name}.png'))
        out_map = sample['out_map']['data'][0].numpy()
        assert saved.shape == out_map.shape == (128, 128)  # 2 x 64 input
        np.testing.assert_array_equal(saved, sral_saliency_map(out_map))
    bad = tool('test.py', cfg, ckpt, '--out-format', 'sral')
    assert bad.returncode == 2 and '--out-format needs --out-dir' in \
        bad.stderr


def _number(pattern, text):
    match = re.search(pattern, text)
    assert match, text[-2000:]
    return float(match.group(1))


def test_get_flops_strips_training_branches(tmp_path, trained, tool):
    cfg, _ = trained
    test_time = tool('analysis_tools/get_flops.py', cfg, '--shape', '64')
    full = tool('analysis_tools/get_flops.py', cfg, '--shape', '64',
                '--keep-aux')
    for out in (test_time, full):
        assert out.returncode == 0, out.stderr[-3000:]
    assert 'Input shape: (1, 3, 64, 64)' in test_time.stdout
    p_test = _number(r'Params: \S+ \((\d+)\)', test_time.stdout)
    p_full = _number(r'Params: \S+ \((\d+)\)', full.stdout)
    assert 0 < p_test < p_full
    # the stripped SRAL model is exactly the TSDD-only network: same
    # parameter count and FLOPs as that config, and the count of its
    # parameters built in this process
    tsdd_cfg = tmp_path / 'tsdd_only.py'
    tsdd_cfg.write_text(f"_base_ = ['{cfg}']\n"
                        'model = dict(sr_head=None, tfgm=None)\n')
    tsdd = tool('analysis_tools/get_flops.py', tsdd_cfg, '--shape', '64')
    assert tsdd.returncode == 0, tsdd.stderr[-3000:]
    assert _number(r'Params: \S+ \((\d+)\)', tsdd.stdout) == p_test
    flops = r'Flops: \S+ \(([\d.e+]+)\)'
    assert _number(flops, tsdd.stdout) == _number(flops, test_time.stdout)
    from mmengine.config import Config
    from mmseg.registry import MODELS
    from mmseg.utils import register_all_modules
    register_all_modules()
    import mmrsod.models  # noqa: F401
    model_cfg = Config.fromfile(
        str(tsdd_cfg), import_custom_modules=False).model
    n = sum(p.numel() for p in MODELS.build(model_cfg).parameters())
    assert n == p_test


def test_benchmark_and_print_config(trained, tool):
    cfg, ckpt = trained
    out = tool('analysis_tools/benchmark.py', cfg, ckpt, '--shape', '64',
               '--baseline', cfg, '--baseline-shape', '128', '--num-iters',
               '2', '--warmup', '1', '--repeat', '2')
    assert out.returncode == 0, out.stderr[-3000:]
    assert 'torch ' in out.stdout and 'device: CPU' in out.stdout
    assert _number(r'model: .* ([\d.]+) img/s', out.stdout) > 0
    assert 'speed ratio model/baseline' in out.stdout
    out = tool('misc/print_config.py', cfg, '--cfg-options',
               'train_cfg.max_iters=7')
    assert out.returncode == 0, out.stderr[-3000:]
    assert "type='SRALSegmentor'" in out.stdout
    assert 'max_iters=7' in out.stdout


def test_sr_branch_evaluation(tmp_path, trained, tool):
    """with_sr=True keeps ASRD at test time; SRMetric reports PSNR/SSIM."""
    cfg, ckpt = trained
    sr_cfg = tmp_path / 'sr_eval.py'
    sr_cfg.write_text(
        f"_base_ = ['{cfg}']\n"
        'model = dict(test_cfg=dict(with_sr=True))\n'
        'test_pipeline = [\n'
        "    dict(type='LoadImageFromFile'),\n"
        "    dict(type='SODResize', scale=128),\n"
        "    dict(type='GenerateLRInput', scale_factor=0.5,"
        ' make_sr_target=True),\n'
        "    dict(type='LoadSODAnnotations'),\n"
        "    dict(type='PackSODInputs'),\n"
        ']\n'
        'test_dataloader = dict(dataset=dict(pipeline=test_pipeline))\n'
        "test_evaluator = [dict(type='SODMetric'), dict(type='SRMetric')]\n")
    pkl = tmp_path / 'sr.pkl'
    out = tool('test.py', sr_cfg, ckpt, '--work-dir', tmp_path / 'w', '--out',
               pkl)
    assert out.returncode == 0, out.stderr[-3000:]
    log = out.stdout + out.stderr
    psnr = _number(r'PSNR: ([\d.]+)', log)
    ssim = _number(r'SSIM: ([\d.]+)', log)
    assert re.search(r'Sm: [\d.]+', log)
    # the logged values, recomputed from the dumped SR images: PSNR by its
    # definition on the Y channel (data range 1), SSIM with skimage's
    # Gaussian-window SSIM (Wang et al.), both averaged over the images
    from skimage.metrics import structural_similarity
    with open(pkl, 'rb') as f:
        samples = pickle.load(f)
    assert len(samples) == 4
    psnrs, ssims = [], []
    for sample in samples:
        pred_y = sample['pred_sr']['data'][0].double().numpy()
        gt_y = sample['gt_sr']['data'][0].double().numpy()
        assert pred_y.shape == gt_y.shape == (128, 128)
        psnrs.append(10 * np.log10(1.0 / np.mean((pred_y - gt_y)**2)))
        ssims.append(
            structural_similarity(
                gt_y,
                pred_y,
                data_range=1.0,
                gaussian_weights=True,
                sigma=1.5,
                use_sample_covariance=False))
    assert psnr == pytest.approx(np.mean(psnrs), abs=1e-4)
    assert ssim == pytest.approx(np.mean(ssims), abs=1e-4)

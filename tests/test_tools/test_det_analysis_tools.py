# Copyright (c) mmrsod contributors. All rights reserved.
"""get_flops.py, benchmark.py and benchmark_det_pipeline.py on detection
configs (the input size defaults to the 256 px LR tile)."""
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import det_tiny_data as tiny  # noqa: E402 # isort: skip

FRCNN = 'configs/faster_rcnn/faster-rcnn_r18_fpn_1xb2-12e_nwpu-lr2x.py'


def _number(pattern, text):
    match = re.search(pattern, text)
    assert match, text[-2000:]
    return float(match.group(1))


def test_get_flops_on_a_two_stage_detector(tool, repo_root):
    """The RPN needs image metadata in ``_forward``: the tool supplies it;
    the parameter count is that of the model built here."""
    out = tool('analysis_tools/get_flops.py', repo_root / FRCNN)
    assert out.returncode == 0, out.stderr[-3000:]
    assert 'Input shape: (1, 3, 256, 256)' in out.stdout
    from mmdet.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import DefaultScope

    import mmrsod.models  # noqa: F401
    cfg = Config.fromfile(str(repo_root / FRCNN))
    cfg.model.backbone.init_cfg = None
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MODELS.build(cfg.model)
    params = sum(p.numel() for p in model.parameters())
    assert _number(r'Params: \S+ \((\d+)\)', out.stdout) == params
    assert _number(r'Flops: \S+ \(([\d.e+]+)\)', out.stdout) > 0


def test_benchmark_on_a_detector(tool, repo_root):
    out = tool('analysis_tools/benchmark.py', repo_root / FRCNN, '--num-iters',
               '1', '--warmup', '1', '--repeat', '1')
    assert out.returncode == 0, out.stderr[-3000:]
    assert 'input 256x256' in out.stdout
    assert _number(r'([\d.]+) img/s', out.stdout) > 0


def test_benchmark_det_pipeline(tool, tmp_path):
    data = tmp_path / 'data'
    tiny.make_tiny_coco(data)
    cfg, _ = tiny.write_config(
        tmp_path / 'frcnn.py',
        'faster_rcnn/faster-rcnn_r18_fpn_1xb2-12e_nwpu-lr2x.py', data)
    out = tool('analysis_tools/benchmark_det_pipeline.py', cfg,
               '--loader-batches', '3', '--steps', '1', '--warmup', '1')
    assert out.returncode == 0, out.stderr[-3000:]
    text = out.stdout
    assert 'batch size 2, 0 loader workers, 4 training images' in text
    loader = _number(r'loader alone: ([\d.]+) img/s', text)
    step = _number(r'model train step alone: ([\d.]+) s/step', text)
    model = _number(r's/step \(median of 1\) = ([\d.]+) img/s', text)
    assert loader > 0 and step > 0
    assert model == pytest.approx(2 / step, rel=0.02)
    ratio = _number(r'loader / model throughput: ([\d.]+)x', text)
    assert ratio == pytest.approx(loader / model, rel=0.1)
    bad = tool('analysis_tools/benchmark_det_pipeline.py', cfg, '--steps', '0')
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines()[-1] == (
        'benchmark_det_pipeline.py: error: --loader-batches and --steps '
        'must be >= 1 and --warmup >= 0')
    # --sr-stage needs a model with a gradient-routed SR branch
    bad = tool('analysis_tools/benchmark_det_pipeline.py', cfg, '--sr-stage',
               '1', '--loader-batches', '1', '--steps', '1')
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines()[-1].startswith(
        'benchmark_det_pipeline.py: error: --sr-stage: FasterRCNN of ')
    assert bad.stderr.strip().endswith('has no SR branch')

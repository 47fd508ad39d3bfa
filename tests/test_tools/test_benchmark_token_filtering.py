# Copyright (c) mmrsod contributors. All rights reserved.
"""benchmark_token_filtering.py: table, JSON, encoder FLOPs inside the
whole model's, and one-line errors."""
import json
import re

import pytest

from mmrsod.testing import load_script

DINO_SWIN = 'configs/dino/dino-4scale_swin-t_1xb2-12e_nwpu-lr2x.py'
# 64 px input: 8x8 + 4x4 + 2x2 + 1x1 tokens at strides 8..64
NUM_TOKENS = 85


def _load_tool(repo_root):
    path = repo_root / 'tools' / 'analysis_tools' / \
        'benchmark_token_filtering.py'
    return load_script(path, 'bench_tf')


def test_table_json_and_encoder_flops(tool, tmp_path, repo_root):
    out = tmp_path / 'bench.json'
    # 85 tokens at 64 px: DINO's 900-query top-k must fit (RSDINO refuses)
    res = tool('analysis_tools/benchmark_token_filtering.py', DINO_SWIN,
               '--shape', '64', '64', '--num-iters', '1', '--warmup', '0',
               '--cfg-options', 'model.num_queries=50', '--out', str(out))
    assert res.returncode == 0, res.stderr[-3000:]
    assert 'CPU path of deformable attention' in res.stdout
    assert '| FLOPs whole | FLOPs encoder | img/s |' in res.stdout
    rows = [
        line for line in res.stdout.splitlines()
        if line.startswith(f'| {DINO_SWIN} |')
    ]
    assert len(rows) == 1, res.stdout
    cells = [c.strip() for c in rows[0].strip('|').split('|')]
    assert cells[1] == '64x64'
    assert cells[-3:] == ['1.000x', '1.000x', '1.000x']  # vs itself

    payload = json.loads(out.read_text())
    assert set(payload) == {
        'device', 'threads', 'warmup', 'num_iters', 'flops_note',
        'encoder_module', 'reference', 'results'
    }
    assert payload['encoder_module'] == 'encoder'
    assert payload['reference'] == DINO_SWIN
    (entry, ) = payload['results']
    assert set(entry) == {
        'config', 'model', 'input_shape', 'params', 'flops', 'encoder_flops',
        'img_per_s', 'ms_per_img', 'ms_per_img_runs'
    }
    assert entry['model'] == 'RSDINO'
    assert entry['input_shape'] == [64, 64]
    assert len(entry['ms_per_img_runs']) == 1
    assert entry['img_per_s'] == pytest.approx(1000 / entry['ms_per_img'])
    # the encoder is a part of the whole model ...
    assert 0 < entry['encoder_flops'] < entry['flops']
    # ... and holds at least its 6 layers' linear layers per token: FFN
    # 256->2048->256, value/output projections 256x256, sampling offsets
    # 256 -> 8 heads x 4 levels x 4 points x 2, attention weights
    # 256 -> 8 x 4 x 4
    per_token = 2 * 256 * 2048 + 3 * 256 * 256 + 256 * 128
    assert entry['encoder_flops'] >= 6 * NUM_TOKENS * per_token
    # params: those of the model built here from the same config
    assert entry['params'] == _num_params(repo_root / DINO_SWIN)
    assert cells[2] == f"{entry['params'] / 1e6:.3f}M"  # 47.831M


def _num_params(path) -> int:
    from mmdet.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import DefaultScope

    import mmrsod.models  # noqa: F401
    cfg = Config.fromfile(str(path))
    cfg.model.num_queries = 50
    cfg.model.backbone.init_cfg = None
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MODELS.build(cfg.model)
    return sum(p.numel() for p in model.parameters())


def test_format_table_ratios(repo_root):
    bench = _load_tool(repo_root)
    results = [
        dict(
            config='a.py',
            input_shape=[256, 256],
            params=2_000_000,
            flops=20_000_000_000,
            encoder_flops=8_000_000_000,
            img_per_s=10.0),
        dict(
            config='b.py',
            input_shape=[256, 256],
            params=2_000_000,
            flops=15_000_000_000,
            encoder_flops=2_000_000_000,
            img_per_s=12.5)
    ]
    lines = bench.format_table(results, 'backbone').splitlines()
    assert len(lines) == 4
    assert '| FLOPs backbone vs first |' in lines[0]
    assert re.sub(r'\s+', ' ', lines[3]) == (
        '| b.py | 256x256 | 2M | 15G | 2G | 12.50 | 0.750x | 0.250x | '
        '1.250x |')


def test_unknown_encoder_module_is_one_line(repo_root):
    bench = _load_tool(repo_root)
    from mmrsod.utils.errors import ConfigError
    with pytest.raises(
            ConfigError,
            match=r"no submodule 'enc'.*"
            r'--encoder-module.*backbone, encoder'):
        bench.module_flops(
            {
                'model': 10,
                'model.backbone': 4,
                'model.encoder': 6,
                'model.encoder.layers': 6
            }, 'enc')
    assert bench.module_flops({'model.encoder': 6}, 'encoder') == 6


def test_missing_config_is_one_line(repo_root, tmp_path, capsys):
    bench = _load_tool(repo_root)
    with pytest.raises(SystemExit) as exc:
        bench.main([str(tmp_path / 'nope.py'), '--num-iters', '1'])
    assert exc.value.code == 2
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith(
        'benchmark_token_filtering.py: error: config file not found')

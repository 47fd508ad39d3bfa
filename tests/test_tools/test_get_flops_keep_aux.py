# Copyright (c) mmrsod contributors. All rights reserved.
"""get_flops.py --keep-aux labels the training and test-time counts."""
import os.path as osp
import re


def _number(pattern, text):
    match = re.search(pattern, text)
    assert match, text[-2000:]
    return float(match.group(1))


def test_keep_aux_labels_both_models(write_tiny_config, tool, monkeypatch):
    # the tiny config imports rank_probe_hook from this folder
    monkeypatch.syspath_prepend(osp.dirname(__file__))
    from mmrsod.apis import init_model
    from mmrsod.utils import load_config
    cfg = write_tiny_config('tiny.py')
    plain = tool('analysis_tools/get_flops.py', cfg, '--shape', '64')
    full = tool('analysis_tools/get_flops.py', cfg, '--shape', '64',
                '--keep-aux')
    for out in (plain, full):
        assert out.returncode == 0, out.stderr[-3000:]
    # parameter counts built in this process
    from mmengine.registry import DefaultScope
    from mmseg.registry import MODELS
    model_cfg = load_config(cfg).model
    import mmrsod.models  # noqa: F401
    with DefaultScope.overwrite_default_scope('mmseg'):  # as the config
        n_train = sum(p.numel() for p in MODELS.build(model_cfg).parameters())
        n_test = sum(p.numel()
                     for p in init_model(cfg, fast=False).parameters())
    assert n_test < n_train
    assert _number(r'Params: \S+ \((\d+)\) \[training model',
                   full.stdout) == n_train
    assert _number(r'Test-time params: \S+ \((\d+)\)', full.stdout) == n_test
    assert _number(r'Params: \S+ \((\d+)\) \[test-time model',
                   plain.stdout) == n_test
    flops = r'Flops: \S+ \(([\d.e+]+)\) \[test-time forward\]'
    assert _number(flops, full.stdout) == _number(flops, plain.stdout) > 0

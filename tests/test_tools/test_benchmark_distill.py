# Copyright (c) mmrsod contributors. All rights reserved.
"""benchmark_distill.py on the tiny set: every measurement row, and a
one-line error for a config that does not distil."""
import sys
from pathlib import Path

import pytest

from mmrsod.testing import load_script, tiny_tiny_vit_cfg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import det_tiny_data as tiny  # noqa: E402 # isort: skip

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / 'tools' / 'analysis_tools' / 'benchmark_distill.py'
MODEL_LINE = 'model = dict(backbone=dict(init_cfg=None))'
TINY_SAM = repr(tiny_tiny_vit_cfg(neck_channels=256))
WRAPPER_MODEL = ('model = dict(student=dict(backbone=dict(init_cfg=None)), '
                 'distill_losses=dict(ifkd=dict(ede=dict(encoder=' + TINY_SAM +
                 ', img_size=64))))')


def _tool():
    return load_script(TOOL, 'benchmark_distill')


def test_rows_on_the_tiny_set(tmp_path, tiny_coco, capsys):
    cfg, _ = tiny.write_config(
        tmp_path / 'ifkd.py',
        'ifkd/retinanet_r18_fpn_ifkd_r50_1xb2-12e_nwpu-lr2x.py', tiny_coco)
    text = Path(cfg).read_text()
    assert MODEL_LINE in text
    Path(cfg).write_text(text.replace(MODEL_LINE, WRAPPER_MODEL))
    tool = _tool()
    assert tool.main([
        cfg, '--iters', '1', '--warmup', '0', '--allow-random-encoder',
        '--allow-random-teacher', '--infer-configs',
        str(REPO / 'configs/retinanet/'
            'retinanet_mobilenetv2_fpn_1xb2-12e_nwpu-lr2x.py')
    ]) == 0
    out = capsys.readouterr().out
    rows = [
        line.split(' | ')[0].strip() for line in out.splitlines()
        if ' | ' in line
    ][1:]
    assert rows == [
        'MobileSAM encoder (64 px input)',
        'distilled student train step, EDE uncached',
        'distilled student train step, EDE cached',
        'plain student train step',
        'inference teacher (RetinaNet ResNet-50)',
        'inference student (RetinaNet ResNet-18)',
        'inference retinanet_mobilenetv2_fpn_1xb2-12e_nwpu-lr2x.py '
        '(RetinaNet MobileNetV2)',
    ]
    assert 'training batch 2 x (128, 128)' in out
    assert 'loading annotations' not in out  # pycocotools is quiet
    # inference runs on the test batch (batch size 1, the same 128 px)
    values = [
        line.split(' | ')[1] for line in out.splitlines()
        if line.startswith('inference ')
    ]
    assert len(values) == 3
    assert all(v.endswith('img/s (batch 1 x (128, 128))') for v in values)


def test_refuses_a_plain_config(capsys):
    with pytest.raises(SystemExit) as exc:
        _tool().main([
            str(REPO / 'configs/retinanet/'
                'retinanet_r18_fpn_1xb2-12e_nwpu-lr2x.py')
        ])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "not 'DistillationDetector'" in err and len(
        err.strip().splitlines()) == 1


def test_bad_infer_config_fails_before_timing(capsys):
    cfg = (
        REPO / 'configs/ifkd/'
        'retinanet_r18_fpn_ifkd_r50_1xb2-12e_nwpu-lr2x.py')
    with pytest.raises(SystemExit) as exc:
        _tool().main([str(cfg), '--infer-configs', 'no/such_config.py'])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert 'no/such_config.py' in err and len(err.strip().splitlines()) == 1

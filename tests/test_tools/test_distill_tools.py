# Copyright (c) mmrsod contributors. All rights reserved.
"""The FitNet distillation config trains with tools/train.py on the tiny
COCO set (teacher outside the checkpoint, warm-up hook on), and
tools/model_converters/export_student.py turns the checkpoint into one
that loads strictly into the plain RetinaNet R18 config and predicts what
the trained wrapper's student predicts."""
import re
import sys
from pathlib import Path

import pytest
import torch
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample
from mmengine.config import Config
from mmengine.registry import DefaultScope

import mmrsod.models  # noqa: F401
from mmrsod.testing import load_script
from mmrsod.utils import trusted_torch_load

sys.path.insert(0, str(Path(__file__).resolve().parent))
import det_tiny_data as tiny  # noqa: E402 # isort: skip

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / 'tools' / 'model_converters' / 'export_student.py'
IFKD_CFG = 'ifkd/retinanet_r18_fpn_fitnet_r50_1xb2-12e_nwpu-lr2x.py'
PLAIN_CFG = REPO / 'configs/retinanet/retinanet_r18_fpn_1xb2-12e_nwpu-lr2x.py'
MODEL_LINE = 'model = dict(backbone=dict(init_cfg=None))'
WRAPPER_MODEL = ('model = dict(student=dict(backbone=dict(init_cfg=None)), '
                 'teacher_ckpt=None, allow_random_teacher=True, '
                 'warmup_iters=4)')


def _export_tool():
    return load_script(TOOL, 'export_student')


def _predict(model, inputs):
    samples = [
        DetDataSample(
            metainfo=dict(
                img_shape=(128, 128),
                ori_shape=(128, 128),
                batch_input_shape=(128, 128),
                scale_factor=(1., 1.))) for _ in range(len(inputs))
    ]
    with torch.no_grad():
        return model.eval().predict(inputs, samples)


def test_train_fitnet_and_export_student(tmp_path, tiny_coco, tool, capsys):
    cfg_path, _ = tiny.write_config(
        tmp_path / 'fitnet.py',
        IFKD_CFG,
        tiny_coco,
        extra="custom_hooks = [dict(type='DistillWarmupHook')]")
    text = Path(cfg_path).read_text()
    assert MODEL_LINE in text
    Path(cfg_path).write_text(text.replace(MODEL_LINE, WRAPPER_MODEL))
    work = tmp_path / 'work'
    res = tool('train.py', cfg_path, '--work-dir', work)
    assert res.returncode == 0, res.stderr[-3000:]
    log = res.stdout + res.stderr
    # 4 images, batch 2: 2 iterations, both with the FitNet term
    assert len(re.findall(r'loss_fitnet: \d', log)) == 2, log[-3000:]
    ckpt = work / 'epoch_1.pth'
    state = trusted_torch_load(ckpt)['state_dict']
    assert {k.split('.')[0] for k in state} == {'student', 'adapters'}

    tool_mod = _export_tool()
    out = tmp_path / 'student.pth'
    assert tool_mod.main(
        [cfg_path,
         str(ckpt),
         str(out), '--student-config',
         str(PLAIN_CFG)]) == 0
    assert 'dropped adapters' in capsys.readouterr().out
    exported = trusted_torch_load(out)['state_dict']
    assert set(exported) == {
        k[len('student.'):]
        for k in state if k.startswith('student.')
    }
    # no overwrite without --force (one line, exit 2)
    with pytest.raises(SystemExit) as exc:
        tool_mod.main([cfg_path, str(ckpt), str(out)])
    assert exc.value.code == 2
    assert 'pass --force' in capsys.readouterr().err

    with DefaultScope.overwrite_default_scope('mmdet'):
        plain_cfg = Config.fromfile(str(PLAIN_CFG)).model
        plain_cfg.backbone.init_cfg = None
        plain = MODELS.build(plain_cfg)
        plain.load_state_dict(exported, strict=True)
        wrapper = MODELS.build(Config.fromfile(cfg_path).model)
        wrapper.load_state_dict(state, strict=True)
        torch.manual_seed(0)
        inputs = torch.randn(2, 3, 128, 128)
        with torch.no_grad():
            raw_w = wrapper.eval()._forward(inputs)
            raw_p = plain.eval()._forward(inputs)
        # head outputs (cls scores, box deltas per level) are identical
        for outs_w, outs_p in zip(raw_w, raw_p):
            for w, p in zip(outs_w, outs_p):
                assert torch.equal(w, p)
        for a, b in zip(_predict(wrapper, inputs), _predict(plain, inputs)):
            assert torch.equal(a.pred_instances.bboxes,
                               b.pred_instances.bboxes)
            assert torch.equal(a.pred_instances.scores,
                               b.pred_instances.scores)


def test_export_refuses_plain_checkpoint(tmp_path, capsys):
    ckpt = tmp_path / 'plain.pth'
    torch.save(
        dict(state_dict={'backbone.conv1.weight': torch.zeros(1)}), ckpt)
    tool_mod = _export_tool()
    with pytest.raises(SystemExit) as exc:
        tool_mod.main([
            str(REPO / 'configs' / IFKD_CFG),
            str(ckpt),
            str(tmp_path / 'o.pth')
        ])
    assert exc.value.code == 2
    assert 'no student.* keys' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        tool_mod.main([str(PLAIN_CFG), str(ckpt), str(tmp_path / 'o.pth')])
    assert "not 'DistillationDetector'" in capsys.readouterr().err

# Copyright (c) mmrsod contributors. All rights reserved.
"""tools/model_converters/export_test_model.py on SDCoNet: the exported
checkpoint has no SR branch, its config builds exactly the stripped model
(strict loading) and predicts what the trained model predicts."""
import copy
from pathlib import Path

import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.config import Config
from mmengine.registry import DefaultScope

import mmrsod.models  # noqa: F401
from mmrsod.testing import load_script
from mmrsod.utils import trusted_torch_load

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / 'tools' / 'model_converters' / 'export_test_model.py'
CONFIG = '''
_base_ = ['{repo}/configs/sdconet/sdconet_swin-t_1xb2-36e_nwpu-lr2x.py']
model = dict(backbone=dict(init_cfg=None), num_queries=30)
'''


def _tool():
    return load_script(TOOL, 'export_test_model')


def _predict(model, inputs):
    samples = [
        DetDataSample(
            metainfo=dict(
                img_shape=(64, 64),
                ori_shape=(128, 128),
                batch_input_shape=(64, 64),
                scale_factor=(0.5, 0.5))) for _ in range(len(inputs))
    ]
    with torch.no_grad():
        return model.eval().predict(inputs, samples)


def test_export_sdconet(tmp_path, capsys):
    cfg_path = tmp_path / 'sdconet.py'
    cfg_path.write_text(CONFIG.format(repo=REPO.as_posix()))
    with DefaultScope.overwrite_default_scope('mmdet'):
        from mmdet.registry import MODELS
        torch.manual_seed(0)
        trained = MODELS.build(copy.deepcopy(Config.fromfile(cfg_path).model))
        trained.init_weights()
        ckpt = tmp_path / 'epoch_1.pth'
        torch.save(dict(state_dict=trained.state_dict()), ckpt)
        out = tmp_path / 'export'
        tool = _tool()
        assert tool.main([str(cfg_path), str(ckpt), str(out)]) == 0
        printed = capsys.readouterr().out
        sr_params = sum(p.numel() for p in trained.sr_parameters())
        assert f'({sr_params / 1e6:.2f}M training-only removed)' in printed

        exported = trusted_torch_load(out / 'model.pth')
        assert exported['meta']['removed_params'] == sr_params
        keys = set(exported['state_dict'])
        assert not any(
            k.startswith(('sr_head.', 'backbone.norm0.')) for k in keys)
        test_cfg = Config.fromfile(out / 'config.py')
        assert test_cfg.model.sr_head is None
        assert tuple(test_cfg.model.backbone.out_indices) == (1, 2, 3)
        deployed = MODELS.build(test_cfg.model)
        deployed.load_state_dict(exported['state_dict'], strict=True)
        torch.manual_seed(2)
        inputs = torch.randn(2, 3, 64, 64)
        for a, b in zip(_predict(trained, inputs), _predict(deployed, inputs)):
            assert torch.equal(a.pred_instances.bboxes,
                               b.pred_instances.bboxes)
            assert torch.equal(a.pred_instances.scores,
                               b.pred_instances.scores)

        # a second export into the same folder would overwrite: refused
        before = (out / 'model.pth').read_bytes()
        with pytest.raises(SystemExit) as err:
            tool.main([str(cfg_path), str(ckpt), str(out)])
        assert err.value.code == 2
        assert 'exists' in capsys.readouterr().err
        assert (out / 'model.pth').read_bytes() == before

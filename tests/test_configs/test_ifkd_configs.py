# Copyright (c) mmrsod contributors. All rights reserved.
"""configs/ifkd: each distillation config's student is exactly its plain
student config's model (so the exported student loads into it), and its
teacher config exists."""
from pathlib import Path

import pytest
from mmengine.config import Config

REPO = Path(__file__).resolve().parents[2]
IFKD = REPO / 'configs' / 'ifkd'
# config -> (plain student config, distill loss types)
EXPECTED = {
    'retinanet_r18_fpn_fitnet_r50_1xb2-12e_nwpu-lr2x.py':
    ('retinanet/retinanet_r18_fpn_1xb2-12e_nwpu-lr2x.py', ['FitNetLoss']),
    'retinanet_r18_fpn_at_r50_1xb2-12e_nwpu-lr2x.py':
    ('retinanet/retinanet_r18_fpn_1xb2-12e_nwpu-lr2x.py', ['ATLoss']),
    'faster-rcnn_r18_fpn_fitnet_r50_1xb2-12e_nwpu-lr2x.py':
    ('faster_rcnn/faster-rcnn_r18_fpn_1xb2-12e_nwpu-lr2x.py', ['FitNetLoss']),
}


@pytest.mark.parametrize('name', sorted(EXPECTED))
def test_ifkd_config(name):
    cfg = Config.fromfile(str(IFKD / name))
    plain, losses = EXPECTED[name]
    model = cfg.model
    assert model.type == 'DistillationDetector'
    assert model.student == Config.fromfile(str(REPO / 'configs' /
                                                plain)).model
    assert (REPO / model.teacher_config).is_file()
    assert 'r50' in model.teacher_config
    assert [v.type for v in model.distill_losses.values()] == losses
    # FitNet regresses through the adapters; AT compares channel sums
    assert (model.adapters is not None) == ('FitNetLoss' in losses)

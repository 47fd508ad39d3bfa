# Copyright (c) mmrsod contributors. All rights reserved.
"""CascadeRCNNSR from the SDCoNet Table V configs at a tiny Swin width:
``loss_sr`` only while the SR branch is active (and equal to the SR head's
loss on the backbone maps), and ``strip_auxiliary`` giving the plain
Cascade R-CNN's parameters, state-dict keys and predictions."""
import copy
from pathlib import Path

import pytest
import torch
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.structures import InstanceData, PixelData

from mmrsod.models import CascadeRCNNSR

CONFIGS = Path(__file__).resolve().parents[3] / 'configs' / 'sdconet'
SR_CFG = 'sdconet-sr_cascade-rcnn_swin-t_fpn_1xb2-36e_nwpu-lr2x.py'
BASE_CFG = 'cascade-rcnn_swin-t_fpn_1xb2-36e_nwpu-lr2x.py'
WIDTHS = (16, 32, 64, 128)


@pytest.fixture(autouse=True)
def mmdet_scope(mmseg_default_scope):
    with DefaultScope.overwrite_default_scope('mmdet'):
        yield


def tiny_model_cfg(name: str, out_indices=(0, 1, 2, 3)) -> dict:
    """The config's model with a 16-wide one-block-per-stage Swin and
    32-channel FPN / heads."""
    cfg = copy.deepcopy(Config.fromfile(str(CONFIGS / name)).model)
    cfg.neck.out_channels = 32
    cfg.rpn_head.update(in_channels=32, feat_channels=32)
    cfg.roi_head.bbox_roi_extractor.out_channels = 32
    for head in cfg.roi_head.bbox_head:
        head.update(in_channels=32, fc_out_channels=64)
    cfg.backbone.update(
        embed_dims=WIDTHS[0],
        depths=[1, 1, 1, 1],
        num_heads=[1, 2, 4, 8],
        drop_path_rate=0.0,
        out_indices=out_indices,
        init_cfg=None)
    cfg.neck.in_channels = [WIDTHS[i] for i in out_indices]
    if cfg.get('sr_head'):
        cfg.sr_head.update(
            in_channels=WIDTHS, num_heads=(4, 2, 1), dec_channels=8)
    return cfg


def build(cfg: dict):
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def make_batch(with_sr: bool = True):
    gen = torch.Generator().manual_seed(0)
    inputs = torch.randn(2, 3, 64, 64, generator=gen)
    samples = []
    for i in range(2):
        sample = DetDataSample(
            metainfo=dict(
                img_shape=(64, 64),
                ori_shape=(64, 64),
                pad_shape=(64, 64),
                batch_input_shape=(64, 64),
                scale_factor=(1.0, 1.0),
                sr_scale=2))
        sample.gt_instances = InstanceData(
            bboxes=torch.tensor([[4.0, 6.0, 30.0, 40.0],
                                 [20.0, 10.0, 60.0, 28.0]]),
            labels=torch.tensor([i, 3]))
        if with_sr:
            sample.gt_sr = PixelData(
                data=torch.rand(3, 128, 128, generator=gen))
        samples.append(sample)
    return inputs, samples


def state_keys_and_count(model):
    return (sorted(model.state_dict()),
            sum(p.numel() for p in model.parameters()))


def test_loss_sr_only_while_active():
    model = build(tiny_model_cfg(SR_CFG))
    assert isinstance(model, CascadeRCNNSR) and model.neck_in_indices is None
    model.train()
    inputs, samples = make_batch()
    torch.manual_seed(1)
    losses = model.loss(inputs, samples)
    assert 'loss_sr' in losses and 'loss_rpn_cls' in losses
    assert 's0.loss_cls' in losses and 's2.loss_bbox' in losses
    # the SR loss is the head's loss on the backbone maps of this batch
    expected = model.sr_head.loss(model.backbone(inputs), samples)['loss_sr']
    torch.testing.assert_close(losses['loss_sr'], expected)

    model.set_sr_active(False)
    assert not any(p.requires_grad for p in model.sr_head.parameters())
    assert all(p.requires_grad for p in model.backbone.parameters())
    torch.manual_seed(1)
    frozen = model.loss(inputs, samples)
    assert 'loss_sr' not in frozen
    # the detection losses do not depend on the SR branch
    for key, value in frozen.items():
        torch.testing.assert_close(value, losses[key], msg=key)
    # stage 1 needs no gt_sr
    inputs, samples = make_batch(with_sr=False)
    assert 'loss_sr' not in model.loss(inputs, samples)
    # the hook on the backbone is gone after loss()
    assert not model.backbone._forward_hooks


def test_strip_auxiliary_gives_the_baseline():
    model = build(tiny_model_cfg(SR_CFG))
    plain = build(tiny_model_cfg(BASE_CFG))
    assert type(plain).__name__ == 'CascadeRCNN'
    sr_params = sum(p.numel() for p in model.sr_parameters())
    assert sr_params == sum(p.numel() for p in model.sr_head.parameters())
    keys, count = state_keys_and_count(model)
    model.strip_auxiliary()
    assert model.sr_head is None
    plain_keys, plain_count = state_keys_and_count(plain)
    assert count - sr_params == plain_count
    assert state_keys_and_count(model) == (plain_keys, plain_count)
    assert not [k for k in model.state_dict() if 'sr_head' in k]


def test_strip_sr_only_backbone_outputs():
    """Neck on stages 2-4 only (the DINO layout): ``norm0`` belongs to the
    SR branch, and the stripped model equals (keys, parameters and
    predictions) the Cascade R-CNN whose Swin returns stages 2-4."""
    cfg = tiny_model_cfg(SR_CFG)
    cfg.neck.in_channels = list(WIDTHS[1:])
    cfg.neck_in_indices = (1, 2, 3)
    model = build(cfg)
    plain = build(tiny_model_cfg(BASE_CFG, out_indices=(1, 2, 3)))
    norm0 = {id(p) for p in model.backbone.norm0.parameters()}
    assert norm0 <= {id(p) for p in model.sr_parameters()}
    model.set_sr_active(False)
    assert not any(p.requires_grad for p in model.backbone.norm0.parameters())
    assert model.backbone.norm1.weight.requires_grad
    model.set_sr_active(True)

    model.eval()
    inputs, samples = make_batch(with_sr=False)
    with torch.no_grad():
        before = model.predict(inputs, copy.deepcopy(samples))
    model.strip_auxiliary()
    assert tuple(model.backbone.out_indices) == (1, 2, 3)
    assert not hasattr(model.backbone, 'norm0')
    assert model.neck_in_indices is None
    assert state_keys_and_count(model) == state_keys_and_count(plain)
    with torch.no_grad():
        after = model.predict(inputs, copy.deepcopy(samples))
    assert len(before[0].pred_instances) > 0
    for a, b in zip(before, after):
        torch.testing.assert_close(a.pred_instances.bboxes,
                                   b.pred_instances.bboxes)
        torch.testing.assert_close(a.pred_instances.scores,
                                   b.pred_instances.scores)
    # the plain model with the same weights predicts the same
    plain.load_state_dict(model.state_dict())
    plain.eval()
    with torch.no_grad():
        ref = plain.predict(inputs, copy.deepcopy(samples))
    torch.testing.assert_close(ref[0].pred_instances.scores,
                               before[0].pred_instances.scores)


def test_bad_neck_in_indices_is_a_config_error():
    from mmrsod.utils.errors import ConfigError
    cfg = tiny_model_cfg(SR_CFG)
    cfg.neck_in_indices = (1, 2, 4)
    with pytest.raises(
            ConfigError,
            match=r'model.neck_in_indices=\(1, 2, 4\)'
            r'.*4 backbone outputs'):
        MODELS.build(cfg)

# Copyright (c) mmrsod contributors. All rights reserved.
import math

import pytest
import torch
from mmseg.registry import MODELS

from mmrsod.models import StructureLoss


def test_hand_computed_value():
    loss = StructureLoss()
    pred = torch.zeros(1, 1, 2, 2)  # sigmoid = 0.5 everywhere
    target = torch.tensor([[[1., 0.], [1., 1.]]])
    # BCE = ln 2; I = 1.5, U = 2 + 3 = 5, IoU loss = 1 - 2.5 / 4.5
    expected = math.log(2) + 1 - 2.5 / 4.5
    assert loss(pred, target).item() == pytest.approx(expected, rel=1e-6)
    # a (N, 1, H, W) target gives the same
    assert loss(pred, target[:, None]).item() == pytest.approx(expected)
    assert loss.loss_name == 'loss_sod'


def test_soft_labels_and_batch_mean():
    torch.manual_seed(0)
    pred = torch.randn(2, 1, 4, 4)
    target = torch.rand(2, 4, 4)  # soft labels in [0, 1]
    prob = pred[:, 0].sigmoid()
    bce = -(target * prob.log() + (1 - target) * (1 - prob).log()).mean()
    inter = (prob * target).sum((1, 2))
    union = (prob + target).sum((1, 2))
    iou = (1 - (inter + 1) / (union - inter + 1)).mean()
    loss = MODELS.build(
        dict(type='StructureLoss', loss_weight=2.0, loss_name='loss_x'))
    assert loss(pred, target).item() == pytest.approx(
        2 * (bce + iou).item(), rel=1e-5)
    assert loss.loss_name == 'loss_x'


def test_ignore_index_and_weight():
    loss = StructureLoss()
    pred = torch.zeros(1, 1, 2, 2)
    target = torch.tensor([[[1., 0.], [255., 1.]]])
    # ignored pixel removed: BCE = ln 2, I = 1, U = 1.5 + 2 = 3.5
    expected = math.log(2) + 1 - 2 / 3.5
    assert loss(pred, target).item() == pytest.approx(expected, rel=1e-6)
    weight = torch.tensor([[[1., 1.], [0., 1.]]])
    target2 = torch.tensor([[[1., 0.], [0., 1.]]])
    assert loss(
        pred, target2, weight=weight,
        ignore_index=None).item() == pytest.approx(expected)


def test_long_labels_and_bad_shapes():
    loss = StructureLoss(bce_weight=0.0)
    pred = torch.full((1, 1, 2, 2), 20.0)
    target = torch.ones(1, 2, 2, dtype=torch.long)
    assert loss(pred, target).item() == pytest.approx(0.0, abs=1e-6)
    with pytest.raises(ValueError, match='out_channels=1'):
        loss(torch.zeros(1, 2, 2, 2), target)
    with pytest.raises(ValueError, match='does not match'):
        loss(torch.zeros(1, 1, 3, 3), target)

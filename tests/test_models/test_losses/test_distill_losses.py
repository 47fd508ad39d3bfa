# Copyright (c) mmrsod contributors. All rights reserved.
"""FitNet and AT distillation losses on tiny tensors, values by hand."""
import math
from types import SimpleNamespace

import pytest
import torch

from mmrsod.models.losses import ATLoss, FitNetLoss, attention_map


def test_fitnet_by_hand():
    s = torch.tensor([[[[1., 2.], [3., 4.]]]])  # (1, 1, 2, 2)
    t = torch.zeros(1, 1, 2, 2)
    s2 = torch.ones(1, 1, 1, 1) * 3.
    t2 = torch.ones(1, 1, 1, 1)
    ctx = SimpleNamespace(student_feats_adapted=(s, s2), teacher_feats=(t, t2))
    # level 0: (1 + 4 + 9 + 16) / 4 = 7.5; level 1: (3 - 1)^2 = 4
    loss = FitNetLoss(loss_weight=0.5)(ctx)
    assert loss.item() == pytest.approx(0.5 * (7.5 + 4.0))


def test_fitnet_shape_mismatch():
    ctx = SimpleNamespace(
        student_feats_adapted=(torch.zeros(1, 2, 2, 2), ),
        teacher_feats=(torch.zeros(1, 3, 2, 2), ))
    with pytest.raises(
            ValueError,
            match=r'FitNetLoss: level 0 student '
            r'feature map \(1, 2, 2, 2\) vs teacher feature map '
            r'\(1, 3, 2, 2\)'):
        FitNetLoss()(ctx)


def test_fitnet_level_count_mismatch():
    # zip() would silently drop the fifth student level
    f = torch.zeros(1, 1, 2, 2)
    ctx = SimpleNamespace(
        student_feats_adapted=(f, ) * 5, teacher_feats=(f, ) * 4)
    with pytest.raises(
            ValueError,
            match='FitNetLoss: 5 student / 4 teacher feature levels'):
        FitNetLoss()(ctx)


def test_attention_map_by_hand():
    feat = torch.tensor([[[[1., -2.]], [[2., 0.]]]])  # (1, 2, 1, 2)
    # Q = sum_c F^2 = [1 + 4, 4 + 0] = [5, 4]; ||Q|| = sqrt(41)
    expected = torch.tensor([[5., 4.]]) / math.sqrt(41.)
    assert torch.allclose(attention_map(feat), expected)


def test_at_loss_by_hand():
    # student: Q = [1, 0] (normalised [1, 0]); teacher Q = [1, 1] ->
    # [1, 1] / sqrt(2); distance = sqrt((1 - 1/sqrt2)^2 + (1/sqrt2)^2)
    s = torch.tensor([[[[1., 0.]]], [[[1., 0.]]]])  # (2, 1, 1, 2)
    t = torch.tensor([[[[1., 1.]], [[0., 0.]]]] * 2)  # (2, 2, 1, 2)
    ctx = SimpleNamespace(student_feats=(s, ), teacher_feats=(t, ))
    r = 1 / math.sqrt(2.)
    dist = math.sqrt((1 - r)**2 + r**2)
    loss = ATLoss(loss_weight=2.0)(ctx)
    assert loss.item() == pytest.approx(2.0 * dist, rel=1e-6)
    # same attention: zero; gradients reach the student only
    s_req = t.clone().requires_grad_(True)
    t_req = t.clone().requires_grad_(True)
    ctx = SimpleNamespace(student_feats=(s_req, ), teacher_feats=(t_req, ))
    loss = ATLoss()(ctx) + (s_req * 0).sum()
    assert loss.item() == pytest.approx(0.0, abs=1e-6)
    ctx = SimpleNamespace(
        student_feats=(s.clone().requires_grad_(True), ),
        teacher_feats=(t_req, ))
    ATLoss()(ctx).backward()
    assert ctx.student_feats[0].grad is not None
    assert t_req.grad is None


def test_at_loss_spatial_mismatch():
    ctx = SimpleNamespace(
        student_feats=(torch.zeros(1, 2, 2, 2), ),
        teacher_feats=(torch.zeros(1, 2, 2, 3), ))
    with pytest.raises(ValueError, match='ATLoss: level 0 .* B, H and W'):
        ATLoss()(ctx)
    # different channels are fine (the attention map sums them out), a
    # different number of levels is not
    f2, f3 = torch.ones(1, 2, 2, 2), torch.ones(1, 3, 2, 2)
    ok = SimpleNamespace(student_feats=(f2, ), teacher_feats=(f3, ))
    assert ATLoss()(ok).item() == pytest.approx(0.0, abs=1e-6)
    ctx = SimpleNamespace(student_feats=(f2, f2), teacher_feats=(f3, ))
    with pytest.raises(
            ValueError, match='ATLoss: 2 student / 1 teacher feature levels'):
        ATLoss()(ctx)

# Copyright (c) mmrsod contributors. All rights reserved.
"""IFKD feature (eq. 12) and head (eq. 13) losses by hand."""
import math

import pytest
import torch
from mmdet.registry import MODELS
from mmengine.registry import DefaultScope

from mmrsod.models.losses.ifkd import (FrequencyDomainReconstruction,
                                       IFKDFeatureLoss, IFKDHeadLoss,
                                       hyperbolic_similarity_mask)
from mmrsod.utils import ConfigError


def _build(cfg):
    with DefaultScope.overwrite_default_scope('mmdet'):
        return MODELS.build(cfg)


def test_feature_loss_by_hand():
    # level 0: B=1, C=2, H=1, W=2
    s0 = torch.tensor([[[[1., 2.]], [[0., 1.]]]])
    t0 = torch.tensor([[[[0., 0.]], [[2., 1.]]]])
    # channel sums of squared errors: loc0 = 1 + 4 = 5, loc1 = 4 + 0 = 4
    w0 = torch.tensor([[[[1., 3.]]]])
    # level 1: B=1, C=2, H=W=1: error 3^2 + 1^2 = 10, weight 0.5
    s1 = torch.tensor([[[[3.]], [[1.]]]])
    t1 = torch.zeros(1, 2, 1, 1)
    w1 = torch.tensor([[[[0.5]]]])
    loss = _build(dict(type='IFKDFeatureLoss'))
    assert loss.loss_weight == 0.06
    expected = 0.06 * ((1 * 5 + 3 * 4) / 4 + 0.5 * 10 / 0.5)
    got = loss([s0, s1], [t0, t1], [w0, w1])
    assert got.item() == pytest.approx(expected, rel=1e-6)
    # no weights: mean over locations of the channel sum
    assert loss([s0, s1], [t0, t1]).item() == pytest.approx(
        0.06 * ((5 + 4) / 2 + 10), rel=1e-6)
    # channel mean divides by C = 2
    mean_loss = IFKDFeatureLoss(loss_weight=1.0, channel_reduction='mean')
    assert mean_loss([s0], [t0], [w0]).item() == pytest.approx(
        (1 * 5 + 3 * 4) / 4 / 2, rel=1e-6)


def test_feature_loss_batch_normalisation_and_zero_mask():
    # the mask sum runs over the batch: B=2, one location each
    s = torch.tensor([[[[2.]]], [[[1.]]]])
    t = torch.zeros(2, 1, 1, 1)
    w = torch.tensor([[[[1.]]], [[[3.]]]])
    loss = IFKDFeatureLoss(loss_weight=1.0)
    assert loss([s], [t], [w]).item() == pytest.approx((4 + 3) / 4)
    # an all-zero mask (student equals teacher) gives 0, not NaN
    assert loss([s], [t], [torch.zeros(2, 1, 1, 1)]).item() == 0


def test_head_loss_by_hand():
    logit3 = math.log(3)  # sigmoid 0.75
    # B=1, 2 channels, H=1, W=2
    stu = torch.tensor([[[[0., -logit3]], [[0., 0.]]]])  # p: .5/.25, .5/.5
    tea = torch.tensor([[[[logit3, 0.]], [[0., 0.]]]])  # q: .75/.5, .5/.5

    def bce(p, q):
        return -(q * math.log(p) + (1 - q) * math.log(1 - p))

    loc0 = bce(0.5, 0.75) + bce(0.5, 0.5)  # = 2 ln 2
    loc1 = bce(0.25, 0.5) + bce(0.5, 0.5)
    w = torch.tensor([[[[2., 1.]]]])
    loss = _build(dict(type='IFKDHeadLoss'))
    assert loss.loss_weight == 0.5
    assert loss([stu], [tea], [w]).item() == pytest.approx(
        0.5 * (2 * loc0 + loc1) / 3, rel=1e-6)
    assert loss([stu], [tea]).item() == pytest.approx(
        0.5 * (loc0 + loc1) / 2, rel=1e-6)
    # two levels sum
    assert loss([stu, stu], [tea, tea], [w, w]).item() == pytest.approx(
        2 * 0.5 * (2 * loc0 + loc1) / 3, rel=1e-6)


def test_gradients_reach_the_student_and_fdr_filter_only():
    """The wrapper's set-up: teacher features from a no_grad forward, FDR
    (trainable filter) on the teacher side, HSM weights, head BCE."""
    gen = torch.Generator().manual_seed(0)
    teacher = torch.nn.Conv2d(3, 4, 1)
    student = torch.nn.Conv2d(3, 4, 1)
    img = torch.randn(2, 3, 4, 6, generator=gen)
    with torch.no_grad():
        tea_feat = teacher(img)
        tea_cls = teacher(img)[:, :2]
    stu_feat = student(img)
    stu_cls = stu_feat[:, :2]
    fdr = FrequencyDomainReconstruction(num_levels=1, channels=4)
    target = fdr([tea_feat], [torch.rand(2, 1, 4, 6, generator=gen)])
    mask = hyperbolic_similarity_mask(stu_feat, target[0])
    total = (
        IFKDFeatureLoss()([stu_feat], target, [mask]) +
        IFKDHeadLoss()([stu_cls], [tea_cls], [mask]))
    total.backward()
    for p in list(student.parameters()) + list(fdr.parameters()):
        assert p.grad is not None and p.grad.abs().sum() > 0
    assert all(p.grad is None for p in teacher.parameters())
    # d/ds of the feature loss = 2 * 0.06 * M (s - t) / sum(M)
    stu = stu_feat.detach().requires_grad_(True)
    IFKDFeatureLoss()([stu], [target[0].detach()], [mask]).backward()
    expected = 2 * 0.06 * mask * (stu - target[0]) / mask.sum()
    torch.testing.assert_close(stu.grad, expected.detach())
    # detach_target: no gradient through the target (the filter)
    fdr.zero_grad()
    target = fdr([tea_feat], [torch.ones(2, 1, 4, 6)])
    IFKDFeatureLoss(detach_target=True)([stu], target).backward()
    assert fdr.filters[0].grad is None or not fdr.filters[0].grad.any()
    # the head loss never sends gradients to the teacher logits
    s_cls = torch.randn(1, 2, 2, 2, requires_grad=True)
    t_cls = torch.randn(1, 2, 2, 2, requires_grad=True)
    IFKDHeadLoss()([s_cls], [t_cls]).backward()
    assert t_cls.grad is None and s_cls.grad is not None


def test_head_loss_is_stationary_at_the_teacher():
    tea = torch.randn(1, 3, 2, 2)
    stu = tea.clone().requires_grad_(True)
    IFKDHeadLoss()([stu], [tea], [torch.rand(1, 1, 2, 2)]).backward()
    assert stu.grad.abs().max() < 1e-7


def test_bad_inputs():
    with pytest.raises(ConfigError, match='channel_reduction'):
        IFKDFeatureLoss(channel_reduction='max')
    loss = IFKDFeatureLoss()
    with pytest.raises(ValueError, match='must be equal'):
        loss([torch.zeros(1, 2, 2, 2)], [torch.zeros(1, 2, 2, 3)])
    with pytest.raises(ValueError, match='weight levels'):
        loss([torch.zeros(1, 2, 2, 2)], [torch.zeros(1, 2, 2, 2)], [])
    with pytest.raises(ValueError, match='location weights must be'):
        IFKDHeadLoss()([torch.zeros(1, 2, 2, 2)], [torch.zeros(1, 2, 2, 2)],
                       [torch.ones(1, 2, 2, 2)])

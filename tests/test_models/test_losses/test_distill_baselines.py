# Copyright (c) mmrsod contributors. All rights reserved.
"""FGD and FRS baselines on tiny maps with hand-computed values."""
import math

import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData

from mmrsod.models.detectors.distillation_detector import DistillContext
from mmrsod.models.losses import FGDLoss, FRSLoss
from mmrsod.models.losses.distill import fgd_attention, fgd_box_masks


def sample(boxes, input_shape=(4, 4)):
    s = DetDataSample(metainfo=dict(batch_input_shape=input_shape))
    s.gt_instances = InstanceData(
        bboxes=torch.tensor(boxes, dtype=torch.float32).view(-1, 4),
        labels=torch.zeros(len(boxes), dtype=torch.long))
    return s


def ctx(s_feats, t_feats, s_cls=None, t_cls=None, samples=()):
    return DistillContext(
        student_feats=tuple(s_feats),
        teacher_feats=tuple(t_feats),
        student_feats_adapted=tuple(s_feats),
        student_cls=list(s_cls or []),
        teacher_cls=list(t_cls or []),
        data_samples=list(samples),
        batch_inputs=torch.zeros(len(samples), 3, 4, 4))


def test_fgd_box_masks_overlap_and_empty():
    # 8x8 input -> 4x4 level: the big box covers all 16 cells (1/16), the
    # small one [2, 4) -> cell [1, 2) only (1/1): the smaller box wins
    fg, bg = fgd_box_masks(
        torch.tensor([[0., 0., 8., 8.], [2., 2., 4., 4.]]), (8, 8), (4, 4))
    expected = torch.full((4, 4), 1 / 16)
    expected[1, 1] = 1.
    assert torch.equal(fg, expected)
    assert torch.equal(bg, torch.zeros(4, 4))
    # non-square level, 2 rows x 3 columns of a 4 x 6 input
    fg, bg = fgd_box_masks(torch.tensor([[0., 0., 3., 1.]]), (4, 6), (2, 3))
    # x: [0, 1.5) -> cells 0, 1; y: [0, 0.5) -> row 0; area 2
    assert torch.equal(fg, torch.tensor([[.5, .5, 0.], [0., 0., 0.]]))
    assert torch.allclose(bg, torch.tensor([[0., 0., 1.], [1., 1., 1.]]) / 4)
    fg, bg = fgd_box_masks(torch.zeros(0, 4), (8, 8), (4, 4))
    assert torch.equal(fg, torch.zeros(4, 4))
    assert torch.equal(bg, torch.full((4, 4), 1 / 16))


def test_fgd_attention_values():
    feat = torch.tensor([[[[1., -2.]], [[3., 0.]]]])  # (1, 2, 1, 2)
    sp, ch = fgd_attention(feat, 0.5)
    # mean_c |F| = [2, 1]; mean_hw |F| = [1.5, 1.5]
    e = [math.exp(4.), math.exp(2.)]
    assert torch.allclose(sp, 2 * torch.tensor([[e]]) / sum(e))
    assert torch.allclose(ch, torch.ones(1, 2))


def test_fgd_hand_computed():
    # one level, C=1, 2x2 map, 4x4 input: box [0,0,2,2] -> cell (0, 0)
    t = torch.ones(1, 1, 2, 2, requires_grad=True)
    d = torch.tensor([[[[1., 2.], [3., 0.]]]])
    s = (t.detach() + d).requires_grad_()
    loss = FGDLoss(
        in_channels=1,
        num_levels=1,
        alpha=1.,
        beta=1.,
        gamma=1.,
        lambda_global=1.)
    out = loss(ctx([s], [t], samples=[sample([[0., 0., 2., 2.]])]))
    assert set(out) == {
        'loss_fgd_fg', 'loss_fgd_bg', 'loss_fgd_mask', 'loss_fgd_global'
    }
    # teacher |F| uniform: A^S = A^C = 1
    assert out['loss_fgd_fg'].item() == pytest.approx(1.)
    assert out['loss_fgd_bg'].item() == pytest.approx((4 + 9 + 0) / 3)
    e = [math.exp(v / .5) for v in (2., 3., 4., 1.)]
    mask = sum(abs(4 * x / sum(e) - 1) for x in e)  # A^C: 1 vs 1
    assert out['loss_fgd_mask'].item() == pytest.approx(mask, rel=1e-6)
    # the context block starts as the identity (zero-initialised last conv)
    assert out['loss_fgd_global'].item() == pytest.approx(14.)
    sum(out.values()).backward()
    assert t.grad is None
    assert s.grad is not None and s.grad.abs().sum() > 0
    params = list(loss.parameters())
    assert params and all(p.grad is not None for p in params)
    # (C=1: LayerNorm of one value is 0, so R(T) - R(S) = T - S here)


def test_fgd_zero_when_equal_and_batch_mean():
    torch.manual_seed(0)
    feats = [torch.randn(2, 8, 4, 4), torch.randn(2, 8, 2, 2)]
    loss = FGDLoss(in_channels=8, num_levels=2)
    samples = [sample([[0., 0., 2., 3.]]), sample([])]
    out = loss(ctx(feats, feats, samples=samples))
    assert all(v.item() == 0 for v in out.values())
    # per-image sums divided by B: a duplicated batch gives the same loss
    s = [f + 0.5 for f in feats]
    one = loss(
        ctx([f[:1] for f in s], [f[:1] for f in feats], samples=samples[:1]))
    two = loss(
        ctx([torch.cat([f[:1]] * 2) for f in s],
            [torch.cat([f[:1]] * 2) for f in feats],
            samples=[samples[0]] * 2))
    for k in one:
        assert two[k].item() == pytest.approx(one[k].item(), rel=1e-5)
    sum(one.values()).backward()
    # every parameter gets a gradient (DDP, find_unused_parameters=False);
    # the zero-initialised last conv gets a non-zero one at the first step
    assert all(p.grad is not None for p in loss.parameters())
    for block in loss.context_blocks:
        assert block.channel_add[-1].weight.grad.abs().sum() > 0
    # after one step away from the identity, every parameter learns
    with torch.no_grad():
        for block in loss.context_blocks:
            block.channel_add[-1].weight.normal_()
    loss.zero_grad()
    sum(loss(ctx(s, feats, samples=samples)).values()).backward()
    assert all(p.grad.abs().sum() > 0 for p in loss.parameters())


def test_fgd_bad_input():
    loss = FGDLoss(in_channels=1, num_levels=2)
    f = torch.zeros(1, 1, 2, 2)
    message = 'FGDLoss: 1 student / 1 teacher feature levels, expected 2'
    with pytest.raises(ValueError, match=message):
        loss(ctx([f], [f], samples=[sample([])]))
    with pytest.raises(ValueError, match='FGDLoss: level 1'):
        loss(ctx([f, f], [f, torch.zeros(1, 1, 3, 2)], samples=[sample([])]))


def test_frs_hand_computed():
    # teacher cls (1, 2, 1, 2): sigmoid ch0 = [.5, .5], ch1 = [.75, .25]
    t_cls = torch.tensor([[[[0., 0.]], [[math.log(3), -math.log(3)]]]],
                         requires_grad=True)
    s_cls = torch.zeros(1, 2, 1, 2, requires_grad=True)
    t = torch.zeros(1, 1, 1, 2, requires_grad=True)
    s = torch.tensor([[[[1., 2.]]]], requires_grad=True)
    out = FRSLoss(
        feat_weight=1., head_weight=1.)(
            ctx([s], [t], [s_cls], [t_cls]))
    # mask = [.75, .5]: feat = (.75 * 1 + .5 * 4) / 1.25
    assert out['loss_frs_feat'].item() == pytest.approx(2.2)
    # BCE(0.5, q) = ln 2 for every q
    assert out['loss_frs_head'].item() == pytest.approx(math.log(2))
    (out['loss_frs_feat'] + out['loss_frs_head']).backward()
    assert t.grad is None and t_cls.grad is None
    assert torch.allclose(s.grad, torch.tensor([[[[1.5 / 1.25, 2. / 1.25]]]]))
    # d BCE / d logit = (sigma(s) - q) * m / norm
    q = torch.tensor([[[[.5, .5]], [[.75, .25]]]])
    m = torch.tensor([.75, .5]).view(1, 1, 1, 2)
    assert torch.allclose(s_cls.grad, (.5 - q) * m / 2.5)


def test_frs_equal_student_teacher():
    torch.manual_seed(0)
    feats = [torch.randn(2, 3, 4, 4), torch.randn(2, 3, 2, 2)]
    cls = [torch.randn(2, 6, 4, 4), torch.randn(2, 6, 2, 2)]
    s_cls = [c.clone().requires_grad_() for c in cls]
    out = FRSLoss()(ctx(feats, feats, s_cls, cls))
    assert out['loss_frs_feat'].item() == 0
    # the head BCE at agreement is the mask-weighted teacher entropy
    ent = 0.
    for c in cls:
        p = c.sigmoid()
        m = p.amax(1, keepdim=True)
        h = -(p * p.log() + (1 - p) * (1 - p).log())
        ent += (h * m).sum() / (m.sum() * 6)
    assert out['loss_frs_head'].item() == pytest.approx(
        0.02 * ent.item(), rel=1e-5)
    out['loss_frs_head'].backward()
    assert all(c.grad.abs().max() < 1e-6 for c in s_cls)


def test_frs_bad_input():
    f = torch.zeros(1, 1, 2, 2)
    c = torch.zeros(1, 2, 2, 2)
    with pytest.raises(ValueError, match='FRSLoss: 2 student / 1 teacher'):
        FRSLoss()(ctx([f, f], [f], [c], [c]))
    with pytest.raises(ValueError, match='FRSLoss: level 0 student cls'):
        FRSLoss()(ctx([f], [f], [torch.zeros(1, 3, 2, 2)], [c]))

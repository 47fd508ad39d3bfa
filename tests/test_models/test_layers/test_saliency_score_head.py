# Copyright (c) mmrsod contributors. All rights reserved.
"""Tests of SDCoNet's saliency score head: shapes, padding, the alpha
variants of Table VII, top-down fusion and the soft-target focal loss."""
import math
from typing import List, Sequence, Tuple

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample
from mmengine.registry import DefaultScope
from mmengine.structures import InstanceData

from mmrsod.models.layers import SaliencyScoreHead
from mmrsod.models.layers import saliency_score_head as head_module
from mmrsod.utils.errors import ConfigError

C = 16  # embed_dims of the tiny heads


@pytest.fixture(autouse=True)
def mmdet_scope():
    """The head builds its loss in mmdet's registry (mmseg has another
    ``FocalLoss``)."""
    with DefaultScope.overwrite_default_scope('mmdet'):
        yield


def _level_index(shapes: Sequence[Tuple[int, int]]):
    spatial_shapes = torch.tensor(shapes)
    sizes = spatial_shapes.prod(1)
    starts = torch.cat([sizes.new_zeros(1), sizes.cumsum(0)[:-1]])
    return spatial_shapes, starts


def _build(randomise: bool = True, **kwargs) -> SaliencyScoreHead:
    """A tiny head; ``randomise`` replaces its (near-constant) initial
    output by large random weights so that comparisons have power."""
    torch.manual_seed(0)
    kwargs.setdefault('embed_dims', C)
    head = MODELS.build(dict(type='SaliencyScoreHead', **kwargs))
    if randomise:
        with torch.no_grad():
            for name, param in head.named_parameters():
                if name != 'alpha':
                    param.normal_(0, 0.5)
    return head


def _samples(boxes: List[List[List[float]]]) -> List[DetDataSample]:
    samples = []
    for img_boxes in boxes:
        sample = DetDataSample()
        sample.gt_instances = InstanceData(
            bboxes=torch.tensor(img_boxes, dtype=torch.float32).view(-1, 4),
            labels=torch.zeros(len(img_boxes), dtype=torch.long))
        samples.append(sample)
    return samples


def test_output_shape_four_levels_no_mask():
    head = _build()
    shapes, starts = _level_index([(8, 8), (4, 4), (2, 2), (1, 1)])
    feat = torch.randn(2, 85, C)
    scores = head(feat, shapes, starts, None)
    assert scores.shape == (2, 85)
    assert torch.isfinite(scores).all()
    # An all-False mask is the same as no mask.
    masked = head(feat, shapes, starts, torch.zeros(2, 85, dtype=torch.bool))
    torch.testing.assert_close(masked, scores)


def test_level_scores_follow_eq5():
    # alpha = 0: the output is each level's own score s_l (eq. 5).
    head = _build(alpha=0.0, learnable_alpha=False)
    shapes = [(3, 2), (2, 1), (1, 1), (1, 1)]
    spatial, starts = _level_index(shapes)
    torch.manual_seed(3)
    feat = torch.randn(2, 10, C)
    ln, fc1 = head.mlp1[0], head.mlp1[1]
    fc2, fc3 = head.mlp2[0], head.mlp2[2]
    expected = []
    for (h, w), start in zip(shapes, starts.tolist()):
        f = feat[:, start:start + h * w]
        x = F.gelu(
            F.linear(
                F.layer_norm(f, (C, ), ln.weight, ln.bias), fc1.weight,
                fc1.bias))
        local, glob = x[..., :C // 2], x[..., C // 2:]
        glob = glob.sum(1, keepdim=True) / (h * w)
        x = torch.cat([local, glob.expand(-1, h * w, -1)], dim=-1)
        expected.append(
            F.linear(
                F.gelu(F.linear(x, fc2.weight, fc2.bias)), fc3.weight,
                fc3.bias)[..., 0])
    torch.testing.assert_close(
        head(feat, spatial, starts), torch.cat(expected, dim=1))


def _pad_levels(feat: torch.Tensor, shapes, padded_shapes,
                fill: float) -> Tuple[torch.Tensor, torch.Tensor]:
    """Put one image's (1, n, C) levels top-left into larger grids."""
    levels, masks = [], []
    start = 0
    for (h, w), (ph, pw) in zip(shapes, padded_shapes):
        grid = torch.full((ph, pw, C), fill)
        grid[:h, :w] = feat[0, start:start + h * w].view(h, w, C)
        mask = torch.ones(ph, pw, dtype=torch.bool)
        mask[:h, :w] = False
        levels.append(grid.flatten(0, 1))
        masks.append(mask.flatten())
        start += h * w
    return torch.cat(levels), torch.cat(masks)


def test_padded_tokens_change_nothing_on_valid_tokens():
    head = _build()
    shapes = [(6, 5), (3, 3), (2, 2), (1, 1)]
    padded_shapes = [(8, 8), (4, 4), (2, 2), (1, 1)]
    torch.manual_seed(1)
    alone = torch.randn(1, sum(h * w for h, w in shapes), C)
    spatial, starts = _level_index(shapes)
    expected = head(alone, spatial, starts, None)[0]

    padded, pad_mask = _pad_levels(alone, shapes, padded_shapes, fill=50.)
    other = torch.randn(padded.shape)
    feat = torch.stack([other, padded])
    mask = torch.stack([torch.zeros_like(pad_mask), pad_mask])
    spatial_p, starts_p = _level_index(padded_shapes)
    scores = head(feat, spatial_p, starts_p, mask)
    assert scores.shape == (2, 85)
    torch.testing.assert_close(scores[1][~pad_mask], expected)
    # The unpadded image of the batch is unaffected by its neighbour.
    torch.testing.assert_close(scores[0],
                               head(other[None], spatial_p, starts_p)[0])
    # Pooling the padded tokens would have changed the valid ones.
    leaky = head(feat, spatial_p, starts_p, None)
    assert not torch.allclose(leaky[1][~pad_mask], expected, atol=1e-3)


def test_alpha_variants():
    learnable = _build()
    assert isinstance(learnable.alpha, nn.Parameter)
    assert learnable.alpha.item() == 0.5
    assert 'alpha' in dict(learnable.named_parameters())
    fixed = _build(alpha=0.5, learnable_alpha=False)
    removed = _build(alpha=1.0, learnable_alpha=False)
    for head, value in ((fixed, 0.5), (removed, 1.0)):
        assert not isinstance(head.alpha, nn.Parameter)
        assert head.alpha == value
        assert 'alpha' not in dict(head.named_parameters())
        assert 'alpha' not in head.state_dict()
    # The three variants have the same parameters besides alpha.
    names = set(dict(learnable.named_parameters())) - {'alpha'}
    assert names == set(dict(fixed.named_parameters()))


def test_init_weights():
    head = _build()
    with torch.no_grad():
        head.alpha.fill_(3.)
    head.init_weights()
    assert head.is_init
    assert head.alpha.item() == 0.5
    last = head.mlp2[-1]
    prior = -math.log((1 - 0.01) / 0.01)
    torch.testing.assert_close(last.bias, torch.full((1, ), prior))
    for module in head.modules():
        if isinstance(module, nn.Linear):
            assert module.weight.std() < 0.05  # trunc normal, std 0.02
            if module is not last:
                assert not module.bias.any()
    assert (head.mlp1[0].weight == 1).all()


@pytest.mark.parametrize('padded', [False, True])
def test_top_down_fusion_matches_interpolate(padded: bool):
    shapes = [(6, 6), (3, 3), (2, 2), (1, 1)]
    head = _build()
    with torch.no_grad():
        head.alpha.fill_(0.7)
    own = _build(alpha=0.0, learnable_alpha=False)  # same weights, no UP
    own.load_state_dict(head.state_dict(), strict=False)
    spatial, starts = _level_index(shapes)
    torch.manual_seed(2)
    feat = torch.randn(2, 50, C)
    mask = None
    if padded:  # image 1 keeps 5x4, 3x2, 2x1, 1x1 tokens (exact sizes)
        mask = torch.zeros(2, 50, dtype=torch.bool)
        valid = [(5, 4), (3, 2), (2, 1), (1, 1)]
        for (h, w), (vh, vw), s in zip(shapes, valid, starts.tolist()):
            m = torch.ones(h, w, dtype=torch.bool)
            m[:vh, :vw] = False
            mask[1, s:s + h * w] = m.flatten()
    fused = head(feat, spatial, starts, mask)
    s = own(feat, spatial, starts, mask)
    maps = [
        s[:, st:st + h * w].view(2, h, w)
        for (h, w), st in zip(shapes, starts.tolist())
    ]
    expected = [maps[3]]
    for lvl in (2, 1, 0):
        up = F.interpolate(
            expected[0][:, None],
            size=shapes[lvl],
            mode='bilinear',
            align_corners=False)[:, 0]
        expected.insert(0, 0.7 * up + maps[lvl])
    expected = torch.cat([e.flatten(1) for e in expected], dim=1)
    # Image 0 is unpadded in both cases.
    torch.testing.assert_close(fused[0], expected[0])
    if not padded:
        torch.testing.assert_close(fused[1], expected[1])
    else:  # level 0 of image 1: UP maps the valid 3x2 onto the valid 5x4
        up = F.interpolate(
            fused[1, 36:45].view(1, 1, 3, 3)[..., :3, :2],
            size=(5, 4),
            mode='bilinear',
            align_corners=False)[0, 0]
        torch.testing.assert_close(fused[1, :36].view(6, 6)[:5, :4],
                                   0.7 * up + s[1, :36].view(6, 6)[:5, :4])


def _focal(x: float, t: float) -> float:
    """Sigmoid focal loss on a soft target, written out (alpha 0.25,
    gamma 2)."""
    p = 1 / (1 + math.exp(-x))
    bce = -(t * math.log(p) + (1 - t) * math.log(1 - p))
    pt = (1 - p) * t + p * (1 - t)
    return (0.25 * t + 0.75 * (1 - t)) * pt**2 * bce


def test_loss_equals_hand_computation_padding_excluded():
    head = _build(num_levels=2, strides=(8, 16))
    shapes, _ = _level_index([(2, 2), (1, 1)])
    # Image 0: box 8 x 16 with centre (4, 8): stride-8 token centres
    # (4, 4), (4, 12) at dy' = -+0.5 -> 2**-0.25; (12, *) outside; the
    # stride-16 token (8, 8) on the right edge -> 0.5.
    # Image 1: box 16 x 16, centre (8, 8): every stride-8 token at
    # dx' = dy' = +-0.5 -> 2**-0.5, the stride-16 token at the centre ->
    # 1.0; but its right column (tokens 1 and 3) is padding.
    samples = _samples([[[0., 0., 8., 16.]], [[0., 0., 16., 16.]]])
    mask = torch.tensor([[False] * 5, [False, True, False, True, False]])
    scores = torch.tensor(
        [[0.3, -1.2, 2.0, -0.4, 0.8], [-0.7, 9.0, 1.1, -9.0, 0.1]],
        requires_grad=True)
    q, r = 2**-0.25, 2**-0.5
    terms = [(0.3, q), (-1.2, 0.), (2.0, q), (-0.4, 0.), (0.8, 0.5), (-0.7, r),
             (1.1, r), (0.1, 1.0)]
    num_pos = 6
    expected = 2.0 * sum(_focal(x, t) for x, t in terms) / num_pos
    losses = head.loss(scores, shapes, mask, samples)
    assert set(losses) == {'loss_saliency'}
    assert losses['loss_saliency'].item() == pytest.approx(expected, rel=1e-5)
    losses['loss_saliency'].backward()
    assert not scores.grad[mask].any()  # padded tokens excluded
    assert scores.grad[~mask].ne(0).all()

    # Without a mask the same first image alone: 3 positives.
    alone = head.loss(scores[:1].detach(), shapes, None, samples[:1])
    expected_alone = 2.0 * sum(_focal(x, t) for x, t in terms[:5]) / 3
    assert alone['loss_saliency'].item() == pytest.approx(
        expected_alone, rel=1e-5)


def test_loss_without_boxes_divides_by_one():
    head = _build(num_levels=2, strides=(8, 16))
    shapes, _ = _level_index([(2, 2), (1, 1)])
    scores = torch.tensor([[0.5, -0.5, 1.0, -2.0, 0.0]])
    loss = head.loss(scores, shapes, None, _samples([[]]))['loss_saliency']
    expected = 2.0 * sum(_focal(x, 0.) for x in scores[0].tolist())
    assert loss.item() == pytest.approx(expected, rel=1e-5)


def test_gradient_reaches_head_and_alpha_not_padding():
    head = _build()
    shapes = [(4, 4), (2, 2), (1, 1), (1, 1)]
    spatial, starts = _level_index(shapes)
    feat = torch.randn(2, 22, C, requires_grad=True)
    mask = torch.zeros(2, 22, dtype=torch.bool)
    mask[1, :16] = torch.tensor([[0, 0, 0, 1]] * 3 + [[1] * 4]).flatten() > 0
    mask[1, 16:20] = torch.tensor([False, True, True, True])
    samples = _samples([[[4., 4., 20., 28.]], [[0., 0., 10., 12.]]])
    scores = head(feat, spatial, starts, mask)
    loss = head.loss(scores, spatial, mask, samples)['loss_saliency']
    loss.backward()
    assert head.alpha.grad is not None and head.alpha.grad != 0
    for name, param in head.named_parameters():
        assert param.grad is not None and torch.isfinite(param.grad).all()
        assert param.grad.abs().sum() > 0, name
    assert not feat.grad[mask].any()
    assert feat.grad[~mask].abs().sum(-1).gt(0).all()


def test_bad_config_and_level_count():
    with pytest.raises(ConfigError, match='model.saliency_head.strides'):
        SaliencyScoreHead(embed_dims=C, num_levels=3)
    head = _build()
    spatial, starts = _level_index([(2, 2), (1, 1)])
    with pytest.raises(ConfigError, match='num_levels is 4'):
        head(torch.randn(1, 5, C), spatial, starts)


def test_avg_factor_is_the_rank_mean_of_positives_clamped(monkeypatch):
    # Without a process group reduce_mean is the identity; stand in for
    # a second rank: one with no positives halves the mean, many double it.
    head = _build(num_levels=2, strides=(8, 16))
    shapes, _ = _level_index([(2, 2), (1, 1)])
    scores = torch.tensor([[0.3, -1.2, 2.0, -0.4, 0.8]])
    samples = _samples([[[0., 0., 8., 16.]]])  # 3 positives (see above)
    total = head.loss(scores, shapes, None, samples)['loss_saliency'] * 3
    seen = []

    def fake_reduce_mean(factor):
        seen.append(factor.item())
        return factor * scale

    monkeypatch.setattr(head_module, 'reduce_mean', fake_reduce_mean)
    for scale, avg_factor in ((2.0, 6.0), (0.5, 1.5), (0.1, 1.0)):
        loss = head.loss(scores, shapes, None, samples)['loss_saliency']
        torch.testing.assert_close(loss, total / avg_factor)
    assert seen == [3.0, 3.0, 3.0]

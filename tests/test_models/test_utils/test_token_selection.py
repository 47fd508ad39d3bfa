# Copyright (c) mmrsod contributors. All rights reserved.
"""Hierarchical token selection of SDCoNet (eq. 8): counts per level and
per layer, ranking, padded and unpadded batches, tiny inputs."""
from typing import Sequence, Tuple

import pytest
import torch

from mmrsod.models.utils import (TokenSelection, hierarchical_token_selection,
                                 selected_token_counts)
from mmrsod.utils.errors import ConfigError

BETA = (0.6, 0.8, 1.0, 1.0)
GAMMA = (1.0, 0.8, 0.6, 0.6, 0.4, 0.2)
SHAPES = [(8, 8), (4, 4), (2, 2), (1, 1)]  # 64 + 16 + 4 + 1 = 85 tokens
# Level counts: ceil(0.6*64)=39, ceil(0.8*16)=13, 4, 1 -> K = 57.
# Layer counts: ceil(1.0*57)=57, ceil(45.6)=46, ceil(34.2)=35, 35,
# ceil(22.8)=23, ceil(11.4)=12.
LAYER_COUNTS = [57, 46, 35, 35, 23, 12]


def _levels(shapes: Sequence[Tuple[int, int]]):
    spatial_shapes = torch.tensor(shapes, dtype=torch.long)
    sizes = spatial_shapes.prod(1)
    start = torch.cat([sizes.new_zeros(1), sizes.cumsum(0)[:-1]])
    return spatial_shapes, start


def _padding_mask(shapes: Sequence[Tuple[int, int]],
                  valid_hw: Sequence[Sequence[Tuple[int, int]]]):
    """(B, N) mask, True outside each image's valid top-left h x w."""
    rows = []
    for per_level in valid_hw:
        parts = []
        for (h, w), (vh, vw) in zip(shapes, per_level):
            grid = torch.ones(h, w, dtype=torch.bool)
            grid[:vh, :vw] = False
            parts.append(grid.flatten())
        rows.append(torch.cat(parts))
    return torch.stack(rows)


def _check_invariants(sel: TokenSelection, padding_mask=None) -> None:
    for idx, valid in zip(sel.layer_indices, sel.layer_valid):
        assert idx.shape == valid.shape and idx.dtype == torch.long
        for b in range(idx.shape[0]):
            row = idx[b].tolist()
            assert len(set(row)) == len(row), 'indices repeat in a row'
            # valid slots come first
            flags = valid[b].tolist()
            assert flags == sorted(flags, reverse=True)
            for n in idx[b][valid[b]].tolist():
                assert sel.level_selected[b, n]
                if padding_mask is not None:
                    assert not padding_mask[b, n]
    if padding_mask is not None:
        assert not (sel.level_selected & padding_mask).any()


def test_counts_and_ranking_by_hand():
    spatial_shapes, start = _levels(SHAPES)
    # score = -flat index: within every level and across levels, lower
    # indices rank first.
    scores = -torch.arange(85, dtype=torch.float)[None]
    sel = hierarchical_token_selection(scores, spatial_shapes, start, None,
                                       BETA, GAMMA)
    _check_invariants(sel)
    expected_level = list(range(0, 39)) + list(range(64, 77)) + \
        list(range(80, 85))
    assert sel.level_selected[0].nonzero().flatten().tolist() == \
        expected_level
    assert [i.shape[1] for i in sel.layer_indices] == LAYER_COUNTS
    assert all(v.all() for v in sel.layer_valid)
    # ranked by score across levels: the 46 of layer 1 are 0..38, 64..70
    assert sel.layer_indices[1][0].tolist() == \
        list(range(39)) + list(range(64, 71))
    assert sel.layer_indices[5][0].tolist() == list(range(12))
    assert selected_token_counts(SHAPES, BETA, GAMMA) == LAYER_COUNTS


def test_selects_top_scored_tokens_of_random_scores():
    spatial_shapes, start = _levels(SHAPES)
    gen = torch.Generator().manual_seed(3)
    scores = torch.randn(2, 85, generator=gen)
    sel = hierarchical_token_selection(scores, spatial_shapes, start, None,
                                       BETA, GAMMA)
    _check_invariants(sel)
    for b in range(2):
        expected = set()
        for (h, w), s, k in zip(SHAPES, start.tolist(), (39, 13, 4, 1)):
            level = sorted(range(s, s + h * w), key=lambda n: -scores[b, n])
            expected |= set(level[:k])
        assert set(sel.level_selected[b].nonzero().flatten().tolist()) == \
            expected
        ranked = sorted(expected, key=lambda n: -scores[b, n])
        for idx, m in zip(sel.layer_indices, LAYER_COUNTS):
            assert idx[b].tolist() == ranked[:m]


def test_masked_batch_per_image_counts():
    spatial_shapes, start = _levels(SHAPES)
    # image 1 is the right half of the batch shape: valid 8x4, 4x2, 2x1, 1x1
    mask = _padding_mask(SHAPES, [[(8, 8), (4, 4), (2, 2),
                                   (1, 1)], [(8, 4), (4, 2), (2, 1), (1, 1)]])
    gen = torch.Generator().manual_seed(0)
    scores = torch.randn(2, 85, generator=gen)
    scores[mask] = 100.  # padded tokens score highest: must still not win
    sel = hierarchical_token_selection(scores, spatial_shapes, start, mask,
                                       BETA, GAMMA)
    _check_invariants(sel, mask)
    # image 1: ceil(0.6*32)=20 + ceil(0.8*8)=7 + 2 + 1 = 30 tokens;
    # layers ceil(gamma*30) = 30, 24, 18, 18, 12, 6
    assert sel.level_selected.sum(1).tolist() == [57, 30]
    assert [i.shape[1] for i in sel.layer_indices] == LAYER_COUNTS
    assert [int(v[0].sum()) for v in sel.layer_valid] == LAYER_COUNTS
    assert [int(v[1].sum()) for v in sel.layer_valid] == \
        [30, 24, 18, 18, 12, 6]
    level1 = sel.level_selected[1]
    assert level1[:64].sum() == 20 and level1[64:80].sum() == 7
    assert level1[80:84].sum() == 2 and level1[84]


def test_no_mask_equals_all_false_mask():
    spatial_shapes, start = _levels(SHAPES)
    scores = torch.randn(2, 85, generator=torch.Generator().manual_seed(1))
    a = hierarchical_token_selection(scores, spatial_shapes, start, None, BETA,
                                     GAMMA)
    b = hierarchical_token_selection(scores, spatial_shapes, start,
                                     torch.zeros(2, 85, dtype=torch.bool),
                                     BETA, GAMMA)
    assert torch.equal(a.level_selected, b.level_selected)
    for x, y in zip(a.layer_indices + a.layer_valid,
                    b.layer_indices + b.layer_valid):
        assert torch.equal(x, y)


def test_all_ones_ratios_select_every_valid_token():
    spatial_shapes, start = _levels(SHAPES)
    mask = _padding_mask(SHAPES, [[(8, 8), (4, 4), (2, 2),
                                   (1, 1)], [(5, 3), (3, 2), (2, 1), (1, 1)]])
    scores = torch.randn(2, 85, generator=torch.Generator().manual_seed(2))
    sel = hierarchical_token_selection(scores, spatial_shapes, start, mask,
                                       (1, 1, 1, 1), (1, ) * 6)
    _check_invariants(sel, mask)
    assert torch.equal(sel.level_selected, ~mask)
    for idx, valid in zip(sel.layer_indices, sel.layer_valid):
        assert idx.shape == (2, 85)
        for b in range(2):
            assert sorted(idx[b][valid[b]].tolist()) == \
                (~mask[b]).nonzero().flatten().tolist()


def test_tiny_inputs_keep_at_least_one_token():
    shapes = [(2, 2), (1, 1)]
    spatial_shapes, start = _levels(shapes)
    scores = torch.tensor([[0., 3., 1., 2., 5.]])
    # ceil(0.1*4)=1 and ceil(0.1*1)=1; then ceil(0.01*2)=1 -> the best one
    sel = hierarchical_token_selection(scores, spatial_shapes, start, None,
                                       (0.1, 0.1), (0.01, 1.0))
    assert sel.level_selected[0].tolist() == [False, True, False, False, True]
    assert sel.layer_indices[0].tolist() == [[4]]
    assert sel.layer_indices[1].tolist() == [[4, 1]]
    assert selected_token_counts(shapes, (0.1, 0.1), (0.01, 1.0)) == [1, 2]
    # a level without any valid token of an image keeps nothing there
    mask = torch.tensor([[False, False, False, False, True],
                         [False, True, True, True, False]])
    sel = hierarchical_token_selection(
        scores.expand(2, -1), spatial_shapes, start, mask, (0.5, 1.0),
        (1.0, 0.5))
    _check_invariants(sel, mask)
    assert sel.level_selected.tolist() == [[False, True, False, True, False],
                                           [True, False, False, False, True]]
    assert [v.sum(1).tolist() for v in sel.layer_valid] == [[2, 2], [1, 1]]


def test_ceil_is_robust_to_float_error():
    # 0.7 * 10 = 7.000000000000001 in floating point: still 7 tokens
    spatial_shapes, start = _levels([(2, 5)])
    sel = hierarchical_token_selection(
        torch.randn(1, 10), spatial_shapes, start, None, (0.7, ), (0.7, ))
    assert int(sel.level_selected.sum()) == 7
    assert sel.layer_indices[0].shape == (1, 5)  # ceil(4.9)
    assert selected_token_counts([(2, 5)], (0.7, ), (0.7, )) == [5]


def test_paper_ratios_at_256px():
    # Swin-T DINO levels at 256 px: 32x32, 16x16, 8x8, 4x4 (1360 tokens)
    shapes = [(32, 32), (16, 16), (8, 8), (4, 4)]
    # 615 + 205 + 64 + 16 = 900
    assert selected_token_counts(shapes, BETA, GAMMA) == \
        [900, 720, 540, 540, 360, 180]


@pytest.mark.parametrize('level, layer, key', [
    ((0.6, 0.8, 1.0), GAMMA, 'model.level_filter_ratio'),
    ((0.6, 0.8, 0.0, 1.0), GAMMA, 'model.level_filter_ratio'),
    ((0.6, 0.8, 1.0, 1.5), GAMMA, 'model.level_filter_ratio'),
    (BETA, (), 'model.layer_filter_ratio'),
    (BETA, (1.0, -0.2), 'model.layer_filter_ratio'),
    (BETA, ('a', ), 'model.layer_filter_ratio'),
])
def test_bad_ratios_name_the_config_key(level, layer, key):
    spatial_shapes, start = _levels(SHAPES)
    with pytest.raises(ConfigError, match=key):
        hierarchical_token_selection(
            torch.zeros(1, 85), spatial_shapes, start, None, level, layer)
    with pytest.raises(ConfigError, match=key):
        selected_token_counts(SHAPES, level, layer)


def test_layer_ratio_count_must_match_num_layers():
    spatial_shapes, start = _levels(SHAPES)
    with pytest.raises(ConfigError, match='model.layer_filter_ratio has 6'):
        hierarchical_token_selection(
            torch.zeros(1, 85),
            spatial_shapes,
            start,
            None,
            BETA,
            GAMMA,
            num_layers=4)


def test_selection_passes_no_gradient_and_ignores_score_dtype():
    spatial_shapes, start = _levels(SHAPES)
    scores = torch.randn(2, 85, requires_grad=True)
    sel = hierarchical_token_selection(scores.half(), spatial_shapes, start,
                                       None, BETA, GAMMA)
    assert not sel.level_selected.requires_grad
    assert [i.shape[1] for i in sel.layer_indices] == LAYER_COUNTS

# Copyright (c) mmrsod contributors. All rights reserved.
"""Tests of the Gaussian saliency targets (SDCoNet eq. 7) on hand-made
boxes, with the expected values written out by hand."""
import math

import pytest
import torch

from mmrsod.models.utils import (DEFAULT_SALIENCY_SIGMA,
                                 gaussian_saliency_targets)

# With sigma = 1 / sqrt(2 ln 2): exp(-d^2 / (2 sigma^2)) = 2 ** -(d^2).
Q = 2**-0.25  # offset of half a half-extent along one axis


def _grid(targets: torch.Tensor, start: int, h: int, w: int):
    return targets[start:start + h * w].view(h, w)


def test_default_sigma_gives_half_at_edge_midpoints():
    assert DEFAULT_SALIENCY_SIGMA == pytest.approx(0.8493218002880191)
    assert math.exp(-1 / (2 * DEFAULT_SALIENCY_SIGMA**2)) == pytest.approx(0.5)


def test_gaussian_values_on_a_32x16_box():
    # Box 32 wide, 16 high, centre (28, 20): on the stride-8 grid the
    # token centres (4 + 8j, 4 + 8i) hit the centre, the edge midpoints
    # and the corners exactly.
    box = torch.tensor([[12., 12., 44., 28.]])
    shapes = torch.tensor([[8, 8], [4, 4]])
    targets = gaussian_saliency_targets([box], shapes, (8, 16))
    assert targets.shape == (1, 64 + 16)
    assert targets.dtype == torch.float32
    edge = [0, .25, .5 * Q, .5, .5 * Q, .25, 0, 0]  # rows y = 12 and 28
    mid = [0, .5, Q, 1., Q, .5, 0, 0]  # row y = 20 through the centre
    zeros = [0.] * 8
    expected = torch.tensor([zeros, edge, mid, edge] + [zeros] * 4)
    level0 = _grid(targets[0], 0, 8, 8)
    torch.testing.assert_close(level0, expected)
    assert level0[2, 3] == 1.0  # centre token
    assert level0[2, 5] == pytest.approx(0.5)  # right edge midpoint (44, 20)
    assert level0[1, 3] == pytest.approx(0.5)  # top edge midpoint (28, 12)
    assert level0[1, 1] == pytest.approx(0.25)  # corner (12, 12)
    assert level0[2, 4] == pytest.approx(0.8408964)  # (36, 20): dx' = 0.5
    # Stride 16: token centres (8 + 16j, 8 + 16i); inside the box are
    # (24, 24): dx' = -4/16, dy' = 4/8 and (40, 24): dx' = 12/16, dy' = 4/8.
    level1 = _grid(targets[0], 64, 4, 4)
    expected1 = torch.zeros(4, 4)
    expected1[1, 1] = 2**-(0.25**2 + 0.5**2)
    expected1[1, 2] = 2**-(0.75**2 + 0.5**2)
    torch.testing.assert_close(level1, expected1)


def test_overlapping_boxes_take_the_maximum():
    box_a = [12., 12., 44., 28.]  # the box of the test above
    box_b = [20., 4., 36., 20.]  # 16 x 16, centre (28, 12)
    shapes = torch.tensor([[8, 8]])
    both = gaussian_saliency_targets([torch.tensor([box_a, box_b])], shapes,
                                     (8, ))[0].view(8, 8)
    only_a = gaussian_saliency_targets([torch.tensor([box_a])], shapes,
                                       (8, ))[0].view(8, 8)
    only_b = gaussian_saliency_targets([torch.tensor([box_b])], shapes,
                                       (8, ))[0].view(8, 8)
    torch.testing.assert_close(both, torch.maximum(only_a, only_b))
    assert both[1, 3] == 1.0  # centre of B, edge midpoint of A (0.5)
    assert both[2, 3] == 1.0  # centre of A, edge midpoint of B
    assert both[0, 3] == pytest.approx(0.5)  # only B: its top midpoint
    # (20, 12): A gives 0.5 * 2**-0.25, B 0.5 (left midpoint); not the sum.
    assert both[1, 2] == pytest.approx(0.5)


def test_tiny_box_gets_its_centre_cell_on_every_level():
    # 2 x 2 box, centre (10, 11) in cell (1, 1) of the stride-8 grid; no
    # token centre lies inside it. The centre cell's token counts as
    # inside, valued at the box point nearest to its centre (12, 12):
    # (11, 12), dx' = 1, dy' = 1 -> 0.25 (a box corner).
    box = torch.tensor([[9., 10., 11., 12.]])
    shapes = torch.tensor([[8, 8], [4, 4], [2, 2], [1, 1]])
    targets = gaussian_saliency_targets([box], shapes, (8, 16, 32, 64))[0]
    starts = (0, 64, 80, 84)
    for (h, w), start, stride in zip(shapes.tolist(), starts, (8, 16, 32, 64)):
        grid = _grid(targets, start, h, w)
        assert (grid > 0).sum() == 1
        expected = torch.zeros(h, w)
        expected[11 // stride, 10 // stride] = 0.25  # cell of (10, 11)
        torch.testing.assert_close(grid, expected)


def test_centre_cell_with_token_centre_inside_uses_the_formula():
    # Box 2 x 3 around the token centre (12, 12): dx' = 0, dy' = -0.5/1.5.
    box = torch.tensor([[11., 11., 13., 14.]])
    targets = gaussian_saliency_targets([box], torch.tensor([[4, 4]]), (8, ))
    expected = torch.zeros(16)
    expected[1 * 4 + 1] = 2**-(1 / 9)
    torch.testing.assert_close(targets[0], expected)


def test_images_without_boxes_and_custom_sigma():
    box = torch.tensor([[0., 0., 16., 16.]])  # centre (8, 8), half 8
    shapes = torch.tensor([[2, 2], [1, 1]])
    targets = gaussian_saliency_targets(
        [torch.zeros(0, 4), box, torch.zeros(0, 4)],
        shapes, (8, 16),
        sigma=1.0)
    assert targets.shape == (3, 5)
    assert not targets[0].any() and not targets[2].any()
    # Stride 8: every token centre is at dx' = dy' = +-0.5;
    # stride 16: the one token sits on the centre.
    corner = math.exp(-(0.25 + 0.25) / 2)
    torch.testing.assert_close(targets[1], torch.tensor([corner] * 4 + [1.]))


def test_stride_count_must_match_the_levels():
    with pytest.raises(ValueError, match='2 strides'):
        gaussian_saliency_targets([torch.zeros(0, 4)], torch.tensor([[2, 2]]),
                                  (8, 16))

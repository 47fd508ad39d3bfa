# Copyright (c) mmrsod contributors. All rights reserved.
"""EDE (eq. 1): valid crop, per-level layout in a padded batch, sum."""
import pytest
import torch

from mmrsod.models.utils import add_external_disturbance, external_disturbance


def test_constant_embedding_layout_by_hand():
    # Image 0 fills the 32x64 batch, image 1 is 16x64 (bottom padded).
    sam = torch.zeros(2, 1, 4, 4)
    sam[0, :, :2, :4] = 1.0  # valid part of a 2:1 (wide) image
    sam[1, :, :1, :4] = -2.0
    sam[:, :, 2:] = 100.0  # MobileSAM padding: must be cropped away
    levels = external_disturbance(
        sam,
        valid_sizes=[(2, 4), (1, 4)],
        img_shapes=[(32, 64), (16, 64)],
        batch_input_shape=(32, 64),
        feat_sizes=[(4, 8), (2, 4), (1, 2)])
    assert [tuple(x.shape) for x in levels] == [(2, 1, 4, 8), (2, 1, 2, 4),
                                                (2, 1, 1, 2)]
    s1, s2 = torch.sigmoid(torch.tensor(1.0)), torch.sigmoid(
        torch.tensor(-2.0))
    # Level 0 (4x8): image 0 covers all of it, image 1 the top 2 rows.
    torch.testing.assert_close(levels[0][0], s1.expand(1, 4, 8))
    torch.testing.assert_close(levels[0][1, :, :2], s2.expand(1, 2, 8))
    assert torch.count_nonzero(levels[0][1, :, 2:]) == 0
    # Level 2 (1x2): ceil(16 * 1 / 32) = 1 row for image 1.
    torch.testing.assert_close(levels[2][1], s2.expand(1, 1, 2))


def test_same_size_is_the_sigmoid_of_the_crop():
    sam = torch.randn(1, 3, 4, 4)
    (level, ) = external_disturbance(sam, [(3, 2)], [(24, 16)], (24, 16),
                                     [(3, 2)])
    torch.testing.assert_close(level[0], sam[0, :, :3, :2].sigmoid())


def test_add_is_eq1():
    teacher = [torch.randn(1, 2, 3, 3), torch.randn(1, 2, 2, 2)]
    dist = [torch.rand(1, 2, 3, 3), torch.rand(1, 2, 2, 2)]
    out = add_external_disturbance(teacher, dist)
    for o, t, d in zip(out, teacher, dist):
        torch.testing.assert_close(o, t + d)
    with pytest.raises(ValueError, match='2 teacher levels, 1 disturbance'):
        add_external_disturbance(teacher, dist[:1])

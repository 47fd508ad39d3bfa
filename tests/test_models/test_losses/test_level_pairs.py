# Copyright (c) mmrsod contributors. All rights reserved.
"""The student/teacher level check shared by the distillation losses."""
import pytest
import torch

from mmrsod.models.losses.level_pairs import check_level_pairs


def _maps(*shapes):
    return [torch.zeros(*shape) for shape in shapes]


def test_matching_levels_pass():
    s = _maps((2, 4, 8, 8), (2, 4, 4, 4))
    check_level_pairs('L', s, _maps((2, 4, 8, 8), (2, 4, 4, 4)))
    check_level_pairs(
        'L', s, s, num_levels=2, weights=_maps((2, 1, 8, 8), (2, 1, 4, 4)))
    # channels may differ when same_channels=False
    check_level_pairs(
        'L', s, _maps((2, 9, 8, 8), (2, 1, 4, 4)), same_channels=False)


@pytest.mark.parametrize('kwargs, students, teachers, message', [
    (dict(), [(1, 1, 2, 2)] * 2, [
        (1, 1, 2, 2)
    ], 'L: 2 student / 1 teacher feature levels$'),
    (dict(num_levels=3, kind='cls'), [(1, 1, 2, 2)] * 2, [(1, 1, 2, 2)] * 2,
     'L: 2 student / 2 teacher cls levels, expected 3$'),
    (dict(weights=[torch.zeros(1, 1, 2, 2)]), [(1, 1, 2, 2)] * 2,
     [(1, 1, 2, 2)] * 2,
     'L: 2 student / 2 teacher feature levels and 1 weight levels$'),
    (dict(), [(1, 1, 2, 2), (1, 1, 1, 1)], [
        (1, 1, 2, 2), (1, 2, 1, 1)
    ], r'L: level 1 student feature map \(1, 1, 1, 1\) vs teacher feature map '
     r'\(1, 2, 1, 1\): \(B, C, H, W\) must be equal$'),
    (dict(same_channels=False), [(1, 1, 2, 2)], [
        (2, 1, 2, 2)
    ], r'L: level 0 .*: B, H and W must be equal$'),
    (dict(same_channels=False), [(1, 1, 2, 2)], [
        (1, 3, 2, 3)
    ], r'L: level 0 .*: B, H and W must be equal$'),
    (dict(), [(1, 2, 2)], [(1, 2, 2)
                           ], r'L: level 0 student feature map \(1, 2, 2\)'),
])
def test_mismatch_names_loss_level_and_shapes(kwargs, students, teachers,
                                              message):
    with pytest.raises(ValueError, match=message):
        check_level_pairs('L', _maps(*students), _maps(*teachers), **kwargs)

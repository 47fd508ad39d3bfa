# Copyright (c) mmrsod contributors. All rights reserved.
"""Background embedding ``B_ij = Concat(R_i, C_j)`` of SDCoNet."""
import pytest
import torch

from mmrsod.models.layers import BackgroundEmbedding
from mmrsod.utils.errors import ConfigError


def _known_tables(max_size: int = 5) -> BackgroundEmbedding:
    emb = BackgroundEmbedding(embed_dims=4, max_size=max_size)
    idx = torch.arange(max_size, dtype=torch.float)[:, None]
    with torch.no_grad():
        emb.row_embed.weight.copy_(torch.cat([10 * idx, 10 * idx + 1], 1))
        emb.col_embed.weight.copy_(torch.cat([100 + idx, 200 + idx], 1))
    return emb


def test_values_are_row_col_concat_in_dino_order():
    emb = _known_tables()
    out = emb(torch.tensor([[2, 3], [1, 1]]))
    assert out.shape == (7, 4)
    # level 0 (2 x 3), row-major, then level 1 (1 x 1)
    assert out.tolist() == [
        [0, 1, 100, 200],
        [0, 1, 101, 201],
        [0, 1, 102, 202],
        [10, 11, 100, 200],
        [10, 11, 101, 201],
        [10, 11, 102, 202],
        [0, 1, 100, 200],
    ]
    assert torch.equal(emb([(2, 3), (1, 1)]), out)


def test_max_size_error_names_config_key():
    emb = BackgroundEmbedding(embed_dims=8, max_size=5)
    assert emb(torch.tensor([[5, 5]])).shape == (25, 8)
    with pytest.raises(
            ConfigError, match=r'model\.background_embedding\.max_size=5'):
        emb(torch.tensor([[4, 6], [2, 3]]))
    with pytest.raises(ConfigError, match='embed_dims'):
        BackgroundEmbedding(embed_dims=7)


def test_uniform_init_survives_init_weights():
    emb = BackgroundEmbedding(embed_dims=16, max_size=50)
    with torch.no_grad():
        emb.row_embed.weight.fill_(-3.)
    emb.init_weights()
    for table in (emb.row_embed.weight, emb.col_embed.weight):
        assert table.shape == (50, 8)
        assert table.min() >= 0 and table.max() < 1
        assert table.std() > 0.2  # uniform [0, 1): std 0.29


def test_add_to_background_only_touches_valid_unselected_tokens():
    emb = _known_tables()
    shapes = torch.tensor([[2, 2], [1, 1]])
    memory = torch.zeros(2, 5, 4)
    level_selected = torch.tensor([[True, False, False, True, True],
                                   [False, True, False, False, False]])
    padding = torch.tensor([[False] * 5, [False, False, True, True, False]])
    out = emb.add_to_background(memory, shapes, level_selected, padding)
    table = emb(shapes)
    expected_bg = torch.tensor([[False, True, True, False, False],
                                [True, False, False, False, True]])
    assert torch.equal(out[expected_bg], table.expand(2, -1, -1)[expected_bg])
    assert not out[~expected_bg].any()
    out = emb.add_to_background(memory, shapes, level_selected, None)
    assert torch.equal(out[1, 2], table[2])

# Copyright (c) mmrsod contributors. All rights reserved.
"""Saliency-filtered deformable encoder: equal to mmdet's encoder without
a selection, gather/scatter round trip, real compute saving."""
from typing import List, Sequence, Tuple

import pytest
import torch
from mmdet.models.layers import DeformableDetrTransformerEncoder
from mmengine.registry import DefaultScope
from torch import Tensor, nn

from mmrsod.models.layers import (SaliencyFilteredEncoder,
                                  SelectiveDeformableEncoderLayer)
from mmrsod.models.utils import (hierarchical_token_selection,
                                 selected_token_counts)
from mmrsod.utils.errors import ConfigError

C = 32
SHAPES = [(8, 8), (4, 4), (2, 2), (1, 1)]  # 85 tokens
BETA = (0.6, 0.8, 1.0, 1.0)
GAMMA = (1.0, 0.8, 0.6, 0.6, 0.4, 0.2)
LAYER_COUNTS = [57, 46, 35, 35, 23, 12]  # see test_token_selection.py


@pytest.fixture(autouse=True)
def mmdet_scope():
    with DefaultScope.overwrite_default_scope('mmdet'):
        yield


def _encoder_cfg(num_layers: int = 6) -> dict:
    return dict(
        num_layers=num_layers,
        layer_cfg=dict(
            self_attn_cfg=dict(
                embed_dims=C,
                num_heads=2,
                num_levels=4,
                num_points=2,
                dropout=0.0,
                batch_first=True),
            ffn_cfg=dict(embed_dims=C, feedforward_channels=64, ffn_drop=0.0)))


def _pair(num_layers: int = 6):
    """mmdet's encoder with random weights and ours with the same ones."""
    torch.manual_seed(0)
    parent = DeformableDetrTransformerEncoder(**_encoder_cfg(num_layers))
    gen = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for p in parent.parameters():
            p.copy_(torch.randn(p.shape, generator=gen) * 0.2)
    ours = SaliencyFilteredEncoder(**_encoder_cfg(num_layers))
    ours.load_state_dict(parent.state_dict())
    return parent.eval(), ours.eval()


def _inputs(valid_hw: Sequence[Sequence[Tuple[int, int]]] = None,
            batch: int = 2,
            seed: int = 2) -> dict:
    """Encoder inputs; ``valid_hw`` gives each image's valid grid per
    level (None: no padding, ``key_padding_mask=None``)."""
    gen = torch.Generator().manual_seed(seed)
    spatial_shapes = torch.tensor(SHAPES, dtype=torch.long)
    sizes = spatial_shapes.prod(1)
    start = torch.cat([sizes.new_zeros(1), sizes.cumsum(0)[:-1]])
    n = int(sizes.sum())
    if valid_hw is None:
        mask = None
        ratios = torch.ones(batch, len(SHAPES), 2)
    else:
        rows, ratio_rows = [], []
        for per_level in valid_hw:
            parts, r = [], []
            for (h, w), (vh, vw) in zip(SHAPES, per_level):
                grid = torch.ones(h, w, dtype=torch.bool)
                grid[:vh, :vw] = False
                parts.append(grid.flatten())
                r.append([vw / w, vh / h])
            rows.append(torch.cat(parts))
            ratio_rows.append(r)
        mask = torch.stack(rows)
        ratios = torch.tensor(ratio_rows)
    return dict(
        query=torch.randn(batch, n, C, generator=gen),
        query_pos=torch.randn(batch, n, C, generator=gen),
        key_padding_mask=mask,
        spatial_shapes=spatial_shapes,
        level_start_index=start,
        valid_ratios=ratios)


PADDED = [[(8, 8), (4, 4), (2, 2), (1, 1)], [(8, 4), (4, 2), (2, 1), (1, 1)]]


def _select(inputs: dict, level=BETA, layer=GAMMA, seed: int = 3):
    batch, n = inputs['query'].shape[:2]
    scores = torch.randn(
        batch, n, generator=torch.Generator().manual_seed(seed))
    return hierarchical_token_selection(scores, inputs['spatial_shapes'],
                                        inputs['level_start_index'],
                                        inputs['key_padding_mask'], level,
                                        layer)


@pytest.mark.parametrize('valid_hw', [None, PADDED])
def test_no_selection_equals_mmdet_encoder(valid_hw):
    parent, ours = _pair()
    inputs = _inputs(valid_hw)
    with torch.no_grad():
        assert torch.equal(ours(**inputs), parent(**inputs))
        assert torch.equal(ours(**inputs, selection=None), parent(**inputs))


def test_layer_value_none_equals_parent_layer():
    parent, ours = _pair(1)
    inputs = _inputs()
    ref = parent.get_encoder_reference_points(inputs['spatial_shapes'],
                                              inputs['valid_ratios'], 'cpu')
    kwargs = dict(
        query_pos=inputs['query_pos'],
        key_padding_mask=None,
        spatial_shapes=inputs['spatial_shapes'],
        level_start_index=inputs['level_start_index'],
        reference_points=ref)
    with torch.no_grad():
        expected = parent.layers[0](query=inputs['query'], **kwargs)
        assert torch.equal(ours.layers[0](query=inputs['query'], **kwargs),
                           expected)
        # value given explicitly = the same tensor: the same result
        out = ours.layers[0](
            query=inputs['query'], value=inputs['query'], **kwargs)
    assert torch.allclose(out, expected, atol=1e-6)
    assert isinstance(ours.layers[0], SelectiveDeformableEncoderLayer)


@pytest.mark.parametrize('valid_hw', [None, PADDED])
def test_all_ones_ratios_equal_mmdet_encoder(valid_hw):
    parent, ours = _pair()
    inputs = _inputs(valid_hw)
    selection = _select(inputs, (1.0, ) * 4, (1.0, ) * 6)
    with torch.no_grad():
        expected = parent(**inputs)
        out = ours(**inputs, selection=selection)
    if valid_hw is None:
        assert torch.allclose(out, expected, atol=1e-5)
    else:
        valid = ~inputs['key_padding_mask']
        assert torch.allclose(out[valid], expected[valid], atol=1e-5)
        # padded tokens are never updated
        assert torch.equal(out[~valid], inputs['query'][~valid])


def test_attention_sees_only_selected_queries():
    _, ours = _pair()
    inputs = _inputs()
    selection = _select(inputs)
    seen: List[Tuple[int, int]] = []

    def hook(module, args, kwargs, output):
        seen.append((kwargs['query'].shape[1], kwargs['value'].shape[1]))

    for layer in ours.layers:
        layer.self_attn.register_forward_hook(hook, with_kwargs=True)
    with torch.no_grad():
        out = ours(**inputs, selection=selection)
    assert seen == [(m, 85) for m in LAYER_COUNTS]
    assert [m for m, _ in seen] == selected_token_counts(SHAPES, BETA, GAMMA)
    # tokens that no layer selected keep their input features
    never = ~selection.layer_indices[0].new_zeros(2, 85, dtype=torch.bool)
    for idx in selection.layer_indices:
        never.scatter_(1, idx, False)
    assert never.sum() == 2 * (85 - 57)
    assert torch.equal(out[never], inputs['query'][never])


class _RecordingLayer(nn.Module):
    """Stands in for an encoder layer: records its inputs and returns
    ``query + offset``."""

    def __init__(self, offset: float) -> None:
        super().__init__()
        self.offset = offset
        self.calls: List[dict] = []

    def forward(self, query: Tensor, **kwargs) -> Tensor:
        self.calls.append(dict(query=query.clone(), **kwargs))
        return query + self.offset


@pytest.mark.parametrize('valid_hw', [None, PADDED])
def test_gather_scatter_round_trip(valid_hw):
    _, ours = _pair()
    inputs = _inputs(valid_hw)
    # integer-valued features: adding 1 several times is exact
    inputs['query'] = inputs['query'].mul(4).round()
    selection = _select(inputs)

    ours.layers = nn.ModuleList(_RecordingLayer(0.) for _ in range(6))
    assert torch.equal(ours(**inputs, selection=selection), inputs['query'])

    ours.layers = nn.ModuleList(_RecordingLayer(1.) for _ in range(6))
    out = ours(**inputs, selection=selection)
    times = torch.zeros(2, 85)  # valid selections of each token
    for idx, valid in zip(selection.layer_indices, selection.layer_valid):
        times.scatter_add_(1, idx, valid.float())
    assert torch.equal(out, inputs['query'] + times[..., None])
    untouched = times == 0
    assert torch.equal(out[untouched], inputs['query'][untouched])
    if valid_hw is not None:
        assert not (times[inputs['key_padding_mask']] > 0).any()

    # each layer got its gathered queries, their query_pos and reference
    # points, and the full current memory as value
    ref = ours.get_encoder_reference_points(inputs['spatial_shapes'],
                                            inputs['valid_ratios'], 'cpu')
    memory = inputs['query'].clone()
    for layer, idx, valid in zip(ours.layers, selection.layer_indices,
                                 selection.layer_valid):
        (call, ) = layer.calls
        rows = torch.arange(2)[:, None]
        assert torch.equal(call['query'], memory[rows, idx])
        assert torch.equal(call['query_pos'], inputs['query_pos'][rows, idx])
        assert torch.equal(call['reference_points'], ref[rows, idx])
        assert torch.equal(call['value'], memory)
        assert call['key_padding_mask'] is inputs['key_padding_mask']
        memory[rows, idx] += valid[..., None].float()


def test_filtered_encoder_trains():
    _, ours = _pair()
    ours.train()
    inputs = _inputs(PADDED)
    inputs['query'].requires_grad_(True)
    out = ours(**inputs, selection=_select(inputs))
    out.sum().backward()
    assert inputs['query'].grad is not None
    for layer in ours.layers:
        assert layer.ffn.layers[0][0].weight.grad.abs().sum() > 0


def test_selection_for_another_layer_count_is_refused():
    _, ours = _pair(4)
    inputs = _inputs()
    with pytest.raises(ConfigError, match='model.layer_filter_ratio'):
        ours(**inputs, selection=_select(inputs))

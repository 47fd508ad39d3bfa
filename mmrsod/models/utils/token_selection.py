# Copyright (c) mmrsod contributors. All rights reserved.
"""Hierarchical query filtering of SDCoNet (eq. 8): which encoder tokens
each encoder layer updates.

Two stages, both ranked by the (detached) fused saliency score:

1. **Scale level**: in image ``b`` and level ``l`` with ``n_lb`` valid
   (unpadded) tokens keep the top ``k_lb = ceil(beta_l * n_lb)`` tokens
   (at least 1 when the level has a valid token, 0 when it has none).
   ``K_b = sum_l k_lb`` is the level-filtered set.
2. **Encoder layer**: layer ``t`` updates the top
   ``m_tb = ceil(gamma_t * K_b)`` tokens of that set (ranked by score
   across levels).

Images of a batch keep different numbers of tokens, so each layer gathers
``K_t = max_b m_tb`` slots per image; slots past an image's own count are
flagged ``valid=False`` (computed, never written back). Within a row all
indices are distinct, so scattering the results back is deterministic.
"""
import math
from dataclasses import dataclass
from typing import List, Optional, Sequence, Union

import torch
from torch import Tensor

from mmrsod.utils.errors import ConfigError

__all__ = [
    'TokenSelection', 'hierarchical_token_selection', 'selected_token_counts',
    'check_filter_ratios'
]

#: ``ceil`` tolerance, so that e.g. ``0.7 * 10`` (7.000000000000001 in
#: floating point) keeps 7 tokens and not 8.
_CEIL_EPS = 1e-6


@dataclass
class TokenSelection:
    """Tokens updated by each encoder layer (batched, per-image counts).

    Attributes:
        layer_indices (List[Tensor]): One LongTensor per encoder layer,
            shape (B, K_t): flat token indices into the N encoder tokens,
            distinct within a row, valid slots first and ranked by score.
        layer_valid (List[Tensor]): One BoolTensor per encoder layer, shape
            (B, K_t): True for the first ``m_tb`` slots of image b (the
            tokens layer t really updates), False for padding slots.
        level_selected (Tensor): BoolTensor (B, N), True for the tokens of
            the level-filtered set (stage 1); padded tokens are never True.
    """
    layer_indices: List[Tensor]
    layer_valid: List[Tensor]
    level_selected: Tensor

    @property
    def num_layers(self) -> int:
        """int: Number of encoder layers the selection was made for."""
        return len(self.layer_indices)


def _ceil_count(ratio: float, num: int) -> int:
    """``ceil(ratio * num)``, at least 1 when ``num > 0``, 0 otherwise."""
    if num <= 0:
        return 0
    return max(1, math.ceil(ratio * num - _CEIL_EPS))


def _ceil_counts(ratio: float, num: Tensor) -> Tensor:
    """Tensor version of :func:`_ceil_count` (LongTensor in, out)."""
    count = torch.ceil(num.double() * ratio - _CEIL_EPS).long()
    return torch.where(num > 0, count.clamp(min=1), torch.zeros_like(count))


def check_filter_ratios(ratios: Sequence[float],
                        expected_len: Optional[int],
                        key: str,
                        what: str = 'encoder layers') -> List[float]:
    """Validate a sequence of keep ratios.

    Args:
        ratios (Sequence[float]): Keep ratios, each in (0, 1].
        expected_len (int, optional): Required length (number of feature
            levels or encoder layers); None to accept any non-empty length.
        key (str): Config key named in the error, e.g.
            ``'model.level_filter_ratio'``.
        what (str): What one ratio belongs to, for the message.

    Returns:
        List[float]: The ratios as floats.

    Raises:
        ConfigError: Wrong length, a non-number or a value outside (0, 1].
    """
    try:
        values = [float(r) for r in ratios]
    except (TypeError, ValueError):
        raise ConfigError(f'{key} must be a sequence of numbers in (0, 1], '
                          f'got {ratios!r}') from None
    if not values:
        raise ConfigError(f'{key} is empty: give one keep ratio per {what}')
    if expected_len is not None and len(values) != expected_len:
        raise ConfigError(f'{key} has {len(values)} values but there are '
                          f'{expected_len} {what}: give one ratio each')
    bad = [r for r in values if not 0.0 < r <= 1.0]
    if bad:
        raise ConfigError(f'{key} values must be in (0, 1], got {bad[0]!r} '
                          f'in {tuple(values)}')
    return values


def _as_shape_list(
        spatial_shapes: Union[Tensor,
                              Sequence[Sequence[int]]]) -> List[List[int]]:
    """(L, 2) tensor or nested sequence -> ``[[h, w], ...]`` ints."""
    if isinstance(spatial_shapes, Tensor):
        return [[int(h), int(w)] for h, w in spatial_shapes.tolist()]
    return [[int(h), int(w)] for h, w in spatial_shapes]


def selected_token_counts(spatial_shapes: Union[Tensor,
                                                Sequence[Sequence[int]]],
                          level_ratios: Sequence[float],
                          layer_ratios: Sequence[float]) -> List[int]:
    """Tokens each encoder layer attends for one unpadded image.

    The same rounding as :func:`hierarchical_token_selection`, for docs
    and benchmarks.

    Args:
        spatial_shapes (Tensor | Sequence): (L, 2) level grids ``[h, w]``.
        level_ratios (Sequence[float]): Keep ratio per level (beta).
        layer_ratios (Sequence[float]): Keep ratio per layer (gamma).

    Returns:
        List[int]: ``m_t`` per encoder layer. For example levels 32x32,
        16x16, 8x8, 4x4 (256 px input) with beta (0.6, 0.8, 1, 1) keep
        615 + 205 + 64 + 16 = 900 tokens, and gamma
        (1, 0.8, 0.6, 0.6, 0.4, 0.2) gives [900, 720, 540, 540, 360, 180].
    """
    shapes = _as_shape_list(spatial_shapes)
    betas = check_filter_ratios(level_ratios, len(shapes),
                                'model.level_filter_ratio', 'feature levels')
    gammas = check_filter_ratios(layer_ratios, None,
                                 'model.layer_filter_ratio')
    total = sum(
        _ceil_count(beta, h * w) for beta, (h, w) in zip(betas, shapes))
    return [_ceil_count(gamma, total) for gamma in gammas]


def hierarchical_token_selection(
        scores: Tensor,
        spatial_shapes: Tensor,
        level_start_index: Tensor,
        padding_mask: Optional[Tensor],
        level_ratios: Sequence[float],
        layer_ratios: Sequence[float],
        num_layers: Optional[int] = None) -> TokenSelection:
    """Select the tokens each encoder layer updates (eq. 8).

    Args:
        scores (Tensor): Fused saliency logits, shape (B, N). Detached
            here (the selection passes no gradient).
        spatial_shapes (Tensor): LongTensor (L, 2), ``[h, w]`` per level,
            fine to coarse (DINO's order).
        level_start_index (Tensor): LongTensor (L,), first flat index of
            each level.
        padding_mask (Tensor, optional): BoolTensor (B, N), True at padded
            tokens; None when no image of the batch is padded.
        level_ratios (Sequence[float]): beta, one keep ratio per level in
            (0, 1], e.g. ``(0.6, 0.8, 1.0, 1.0)``.
        layer_ratios (Sequence[float]): gamma, one keep ratio per encoder
            layer in (0, 1], e.g. ``(1.0, 0.8, 0.6, 0.6, 0.4, 0.2)``.
        num_layers (int, optional): If given, ``layer_ratios`` must have
            this length.

    Returns:
        TokenSelection: ``layer_indices[t]`` and ``layer_valid[t]`` of
        shape (B, K_t) with ``K_t = max_b ceil(gamma_t * K_b)``, and
        ``level_selected`` (B, N).

    Raises:
        ConfigError: Bad ratios (named ``model.level_filter_ratio`` or
            ``model.layer_filter_ratio``).
    """
    shapes = _as_shape_list(spatial_shapes)
    betas = check_filter_ratios(level_ratios, len(shapes),
                                'model.level_filter_ratio', 'feature levels')
    gammas = check_filter_ratios(layer_ratios, num_layers,
                                 'model.layer_filter_ratio')
    if scores.dim() != 2:
        raise ValueError(f'scores must be (B, N), got {tuple(scores.shape)}')
    batch_size, num_tokens = scores.shape
    if sum(h * w for h, w in shapes) != num_tokens:
        raise ValueError(f'spatial_shapes {shapes} do not give the '
                         f'{num_tokens} tokens of scores')
    device = scores.device

    # Rank key: finite for valid tokens, -inf for padded ones, so a padded
    # token always ranks below every valid token.
    key = torch.nan_to_num(
        scores.detach().float(),
        nan=torch.finfo(torch.float32).min,
        posinf=torch.finfo(torch.float32).max,
        neginf=torch.finfo(torch.float32).min)
    if padding_mask is not None:
        if padding_mask.shape != scores.shape:
            raise ValueError(f'padding_mask {tuple(padding_mask.shape)} and '
                             f'scores {tuple(scores.shape)} differ in shape')
        valid_tokens = ~padding_mask.bool()
        key = key.masked_fill(~valid_tokens, float('-inf'))
    else:
        valid_tokens = torch.ones_like(key, dtype=torch.bool)

    # Stage 1: top ceil(beta_l * n_lb) tokens of every level.
    level_selected = torch.zeros_like(valid_tokens)
    starts = [int(s) for s in level_start_index.tolist()]
    for beta, (h, w), start in zip(betas, shapes, starts):
        end = start + h * w
        counts = _ceil_counts(beta, valid_tokens[:, start:end].sum(1))
        max_count = int(counts.max()) if batch_size else 0
        if max_count == 0:
            continue
        top = key[:, start:end].topk(max_count, dim=1, sorted=True).indices
        keep = torch.arange(max_count, device=device)[None] < counts[:, None]
        level_selected[:, start:end].scatter_(1, top, keep)

    # Stage 2: rank the level-filtered set across levels; layer t keeps the
    # first ceil(gamma_t * K_b). The rest of the ranking (unselected and
    # padded tokens) only fills invalid slots.
    kept = level_selected.sum(1)
    layer_counts = [_ceil_counts(gamma, kept) for gamma in gammas]
    width = max(int(c.max()) if batch_size else 0 for c in layer_counts)
    ranked = key.masked_fill(~level_selected, float('-inf'))
    order = ranked.topk(width, dim=1, sorted=True).indices
    layer_indices, layer_valid = [], []
    for counts in layer_counts:
        slots = int(counts.max()) if batch_size else 0
        layer_indices.append(order[:, :slots])
        layer_valid.append(
            torch.arange(slots, device=device)[None] < counts[:, None])
    return TokenSelection(
        layer_indices=layer_indices,
        layer_valid=layer_valid,
        level_selected=level_selected)

# Copyright (c) mmrsod contributors. All rights reserved.
import pytest
import torch
from mmseg.registry import MODELS

from mmrsod.models import TFGMLoss

# 2x2 grid of 16x16 blocks; the 3-vector of every block (pool 16 -> 2x2)
BLOCKS = torch.tensor([[1., 0., 0.], [0., 2., 0.], [1., 1., 0.], [0., 0., 0.]])


def _block_image(batch=1):
    """(N, 3, 32, 32) image that is constant on each 16x16 block."""
    grid = BLOCKS.t().reshape(3, 2, 2)
    img = grid.repeat_interleave(16, 1).repeat_interleave(16, 2)
    return img.unsqueeze(0).repeat(batch, 1, 1, 1)


def _identity_tfgm(**kwargs):
    """TFGM whose SOD projection copies the logit into the 3 channels."""
    tfgm = TFGMLoss(norm_cfg=None, act_cfg=None, **kwargs)
    torch.nn.init.ones_(tfgm.sod_proj.conv.weight)
    torch.nn.init.zeros_(tfgm.sod_proj.conv.bias)
    return tfgm


def _inputs(batch=1):
    logits = torch.ones(batch, 1, 32, 32)  # f_sod = 1
    sr_feat = _block_image(batch)  # f_sod * f_sr = blocks
    gt_mask = torch.zeros(batch, 1, 32, 32)  # target product = 0
    gt_sr = torch.rand(batch, 3, 32, 32)
    return logits, sr_feat, gt_mask, gt_sr


def test_code_variant_hand_computed():
    # raw dot products: S = [[1,0,1,0],[0,4,2,0],[1,2,2,0],[0,0,0,0]],
    # sum |S| = 13, / M^2 = 16 -> 0.8125 per sample; consist = mean|F| = 5/12
    tfgm = _identity_tfgm(batch_reduction='sum', reference_batch_size=1)
    losses = tfgm(*_inputs())
    assert set(losses) == {'loss_tfgm_similar', 'loss_tfgm_consist'}
    assert losses['loss_tfgm_similar'].item() == pytest.approx(0.8125)
    assert losses['loss_tfgm_consist'].item() == pytest.approx(5 / 12)
    # the code's torch.norm(diff, 1) sums over the (process's) batch
    losses2 = tfgm(*_inputs(batch=2))
    assert losses2['loss_tfgm_similar'].item() == pytest.approx(2 * 0.8125)
    assert losses2['loss_tfgm_consist'].item() == pytest.approx(5 / 12)


def test_default_reduction_is_independent_of_the_split():
    """Default: 8 x per-sample mean, the code's magnitude at its batch of
    8, and the same whether 8 samples sit in one process or in 8."""
    tfgm = _identity_tfgm()
    assert tfgm.batch_reduction == 'mean'
    assert tfgm.reference_batch_size == 8
    logits, sr_feat, gt_mask, gt_sr = _inputs(batch=8)
    sr_feat = sr_feat * torch.arange(1., 9.).view(8, 1, 1, 1)  # distinct
    whole = tfgm(logits, sr_feat, gt_mask, gt_sr)['loss_tfgm_similar']
    # sample k: S scales by k^2 -> 0.8125 k^2; mean over k=1..8 is 25.5
    assert whole.item() == pytest.approx(8 * 0.8125 * 25.5)
    code = _identity_tfgm(batch_reduction='sum', reference_batch_size=1)
    assert code(logits, sr_feat, gt_mask,
                gt_sr)['loss_tfgm_similar'].item() == pytest.approx(
                    whole.item())
    # 8 processes x batch 1: DDP averages the per-process losses' gradients
    parts = [
        tfgm(logits[i:i + 1], sr_feat[i:i + 1], gt_mask[i:i + 1],
             gt_sr[i:i + 1])['loss_tfgm_similar'] for i in range(8)
    ]
    assert (sum(parts) / 8).item() == pytest.approx(whole.item())
    with pytest.raises(ValueError, match='reference_batch_size'):
        TFGMLoss(batch_reduction='sum', reference_batch_size=8)
    with pytest.raises(ValueError, match='reference_batch_size'):
        TFGMLoss(reference_batch_size=0)


def test_paper_variant_hand_computed():
    # L1-normalised vectors (1,0,0),(0,1,0),(.5,.5,0),(0,0,0):
    # sum |S| = 1 + .5 + 1 + .5 + .5 + .5 + .5 = 4.5 -> 4.5 / 16
    tfgm = _identity_tfgm(affinity_norm='l1', reference_batch_size=1)
    losses = tfgm(*_inputs(batch=2))
    assert losses['loss_tfgm_similar'].item() == pytest.approx(4.5 / 16)


def test_zero_when_products_match_and_switches():
    tfgm = _identity_tfgm(
        similar_weight=3.0, consist_weight=0.5, reference_batch_size=1)
    logits, sr_feat, _, _ = _inputs()
    gt_mask = torch.ones(1, 32, 32)  # (N, H, W) masks are accepted
    losses = tfgm(logits, sr_feat, gt_mask, sr_feat.clone())
    for value in losses.values():
        assert value.item() == pytest.approx(0.0, abs=1e-7)
    only_consist = _identity_tfgm(use_similar=False, loss_weight=2.0)
    losses = only_consist(*_inputs())
    assert set(losses) == {'loss_tfgm_consist'}
    assert losses['loss_tfgm_consist'].item() == pytest.approx(2 * 5 / 12)
    weighted = _identity_tfgm(
        similar_weight=3.0, use_consist=False, reference_batch_size=1)
    assert weighted(*_inputs())['loss_tfgm_similar'].item() == \
        pytest.approx(3 * 0.8125)
    with pytest.raises(ValueError, match='use_similar'):
        TFGMLoss(use_similar=False, use_consist=False)
    with pytest.raises(ValueError, match='affinity_norm'):
        TFGMLoss(affinity_norm='cos')


def test_default_projection_and_errors():
    tfgm = MODELS.build(dict(type='TFGMLoss'))
    assert tfgm.sod_proj.conv.kernel_size == (1, 1)
    assert tfgm.sod_proj.with_norm
    paper = TFGMLoss(proj_kernel_size=3)
    assert paper.sod_proj.conv.kernel_size == (3, 3)
    logits, sr_feat, gt_mask, gt_sr = _inputs(batch=2)
    losses = tfgm(logits.requires_grad_(), sr_feat, gt_mask, gt_sr)
    sum(losses.values()).backward()
    assert tfgm.sod_proj.conv.weight.grad is not None
    with pytest.raises(ValueError, match='HR size'):
        tfgm(logits, sr_feat[..., :16], gt_mask, gt_sr)
    with pytest.raises(ValueError, match='feat_channels'):
        tfgm(logits, sr_feat[:, :2], gt_mask, gt_sr[:, :2])

# Copyright (c) mmrsod contributors. All rights reserved.
"""Task-fusion guidance module (TFGM) loss of SRAL."""
from typing import Dict, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmseg.registry import MODELS
from mmseg.utils import OptConfigType
from torch import Tensor

__all__ = ['TFGMLoss']


@MODELS.register_module()
class TFGMLoss(nn.Module):
    """Cross-task distillation from the SR branch into the SOD branch.

    The module owns the SOD-side projection ``f_sod = proj(p)`` that maps
    the final saliency logits (N, 1, H, W) to ``feat_channels`` channels
    (authors' code: 1x1 conv + BN + ReLU; paper: a 3x3 conv). With the SR
    branch's ``f_sr`` (N, 3, H, W), the HR mask ``I_sod`` (broadcast to 3
    channels) and the HR image ``I_sr`` (YCbCr, [0, 1]) it computes, on
    ``F = f_sod * f_sr`` and ``G = I_sod * I_sr``:

    * ``L_similar`` (eqs. 9-10): both products are average-pooled by
      ``pool_size`` (16: 448 -> 28), flattened to (N, C, M) and turned into
      affinity matrices ``S = A^T A`` (N, M, M); the loss is
      ``|S^F - S^G|_1 / M^2``. ``affinity_norm=None`` uses the raw
      dot products (code) and ``'l1'`` first divides each position's
      C-vector by its L1 norm (paper eq. 9; ``'l2'`` gives cosine
      similarity). Batch reduction: ``batch_reduction='mean'`` takes the
      per-sample mean and multiplies it by ``reference_batch_size``. The
      authors' code sums over the batch (``torch.norm(diff, 1)`` over the
      whole (N, M, M) tensor) at batch 8 on one GPU; ``8 x mean`` keeps
      that magnitude (``reference_batch_size=8``, the default) while
      staying independent of the process layout: under DDP each process
      averages its own samples and the gradients are averaged over the
      processes, so "1 process x batch 8" and "8 processes x batch 1"
      give the same loss and gradient. ``reference_batch_size=1`` is the
      paper's batch mean. ``batch_reduction='sum'`` reproduces the code
      literally (sum over the samples of *one process*): in a
      single-process run it equals ``N x mean``, under DDP its weight
      falls by the number of processes.
    * ``L_consist`` (eq. 11): ``mean(|F - G|)`` over all elements.

    Args:
        in_channels (int): Channels of the SOD logits. Defaults to 1.
        feat_channels (int): Channels of ``f_sod`` (must equal those of
            ``f_sr``). Defaults to 3.
        proj_kernel_size (int): Kernel size of the SOD projection
            (code: 1, paper: 3). Defaults to 1.
        norm_cfg (dict, optional): Norm of the projection.
            Defaults to ``dict(type='BN')``.
        act_cfg (dict, optional): Activation of the projection.
            Defaults to ``dict(type='ReLU')``.
        pool_size (int): Average-pooling kernel and stride for
            ``L_similar``. Defaults to 16.
        affinity_norm (str, optional): None (code), ``'l1'`` (paper) or
            ``'l2'``. Defaults to None.
        batch_reduction (str): ``'mean'`` (per-sample mean times
            ``reference_batch_size``) or ``'sum'`` (sum over the process's
            batch, the code taken literally) for ``L_similar``. Defaults
            to ``'mean'``.
        reference_batch_size (float): Multiplier of the per-sample mean
            with ``batch_reduction='mean'``: 8 keeps the magnitude of the
            code's sum at its total batch of 8, 1 is the paper's mean.
            Must be 1 with ``'sum'``. Defaults to 8.
        use_similar (bool): Compute ``L_similar``. Defaults to True.
        use_consist (bool): Compute ``L_consist``. Defaults to True.
        similar_weight (float): Weight of ``L_similar``. Defaults to 1.0.
        consist_weight (float): Weight of ``L_consist``. Defaults to 1.0.
        loss_weight (float): Weight of the whole TFGM loss (lambda_3).
            Defaults to 1.0.
        eps (float): Floor of the norms in the normalised affinity.
            Defaults to 1e-8.
    """

    def __init__(self,
                 in_channels: int = 1,
                 feat_channels: int = 3,
                 proj_kernel_size: int = 1,
                 norm_cfg: OptConfigType = dict(type='BN', requires_grad=True),
                 act_cfg: OptConfigType = dict(type='ReLU'),
                 pool_size: int = 16,
                 affinity_norm: Optional[str] = None,
                 batch_reduction: str = 'mean',
                 reference_batch_size: float = 8.0,
                 use_similar: bool = True,
                 use_consist: bool = True,
                 similar_weight: float = 1.0,
                 consist_weight: float = 1.0,
                 loss_weight: float = 1.0,
                 eps: float = 1e-8) -> None:
        super().__init__()
        if affinity_norm not in (None, 'l1', 'l2'):
            raise ValueError('TFGMLoss: `affinity_norm` must be None, '
                             f"'l1' or 'l2', got {affinity_norm!r}")
        if batch_reduction not in ('sum', 'mean'):
            raise ValueError("TFGMLoss: `batch_reduction` must be 'sum' or "
                             f"'mean', got {batch_reduction!r}")
        if reference_batch_size <= 0:
            raise ValueError('TFGMLoss: `reference_batch_size` must be '
                             f'positive, got {reference_batch_size}')
        if batch_reduction == 'sum' and reference_batch_size != 1:
            raise ValueError(
                "TFGMLoss: batch_reduction='sum' already scales with the "
                'batch; set reference_batch_size=1 with it (or use '
                f"'mean'), got reference_batch_size={reference_batch_size}")
        if not (use_similar or use_consist):
            raise ValueError('TFGMLoss: both `use_similar` and '
                             '`use_consist` are False; drop `tfgm` from the '
                             'segmentor config instead')
        self.feat_channels = feat_channels
        self.pool_size = pool_size
        self.affinity_norm = affinity_norm
        self.batch_reduction = batch_reduction
        self.reference_batch_size = reference_batch_size
        self.use_similar = use_similar
        self.use_consist = use_consist
        self.similar_weight = similar_weight
        self.consist_weight = consist_weight
        self.loss_weight = loss_weight
        self.eps = eps
        self.sod_proj = ConvModule(
            in_channels,
            feat_channels,
            proj_kernel_size,
            padding=proj_kernel_size // 2,
            norm_cfg=norm_cfg,
            act_cfg=act_cfg)

    def affinity(self, x: Tensor) -> Tensor:
        """Pool, flatten and build the affinity matrix.

        Args:
            x (Tensor): Feature of shape (N, C, H, W).

        Returns:
            Tensor: Affinity of shape (N, M, M), ``M = (H // pool) *
            (W // pool)``.
        """
        if self.pool_size > 1:
            x = F.avg_pool2d(x, self.pool_size, self.pool_size)
        x = x.flatten(2)  # N, C, M
        if self.affinity_norm == 'l1':
            x = x / x.abs().sum(dim=1, keepdim=True).clamp_min(self.eps)
        elif self.affinity_norm == 'l2':
            x = x / x.norm(dim=1, keepdim=True).clamp_min(self.eps)
        return torch.bmm(x.transpose(1, 2), x)

    def similar_loss(self, pred: Tensor, target: Tensor) -> Tensor:
        """Pixel-similarity loss between two fused products (eq. 10).

        Args:
            pred (Tensor): ``f_sod * f_sr`` of shape (N, C, H, W).
            target (Tensor): ``I_sod * I_sr`` of shape (N, C, H, W).

        Returns:
            Tensor: Scalar loss: ``reference_batch_size`` x the mean over
            the batch of ``|S^F - S^G|_1 / M^2`` (``'mean'``), or its sum
            over the batch (``'sum'``).
        """
        diff = self.affinity(pred) - self.affinity(target)
        m = diff.shape[-1]
        loss = diff.abs().sum(dim=(1, 2)) / float(m * m)
        if self.batch_reduction == 'sum':
            return loss.sum()
        return self.reference_batch_size * loss.mean()

    def forward(self, sod_logits: Tensor, sr_feat: Tensor, gt_mask: Tensor,
                gt_sr: Tensor) -> Dict[str, Tensor]:
        """Compute the TFGM losses.

        Args:
            sod_logits (Tensor): Final saliency logits at the HR size,
                shape (N, in_channels, H, W).
            sr_feat (Tensor): SR-side feature ``f_sr`` of shape
                (N, feat_channels, H, W).
            gt_mask (Tensor): Saliency GT in [0, 1] of shape (N, 1, H, W)
                (or (N, H, W)).
            gt_sr (Tensor): HR image target of shape (N, feat_channels, H,
                W).

        Returns:
            dict[str, Tensor]: ``loss_tfgm_similar`` and/or
            ``loss_tfgm_consist`` (weights applied).
        """
        if gt_mask.dim() == 3:
            gt_mask = gt_mask.unsqueeze(1)
        shapes = dict(
            sod_logits=sod_logits.shape[2:],
            sr_feat=sr_feat.shape[2:],
            gt_mask=gt_mask.shape[2:],
            gt_sr=gt_sr.shape[2:])
        if len(set(tuple(s) for s in shapes.values())) != 1:
            raise ValueError('TFGMLoss: all inputs must share the HR size, '
                             f'got {shapes}')
        if sr_feat.shape[1] != self.feat_channels or \
                gt_sr.shape[1] != self.feat_channels:
            raise ValueError(
                f'TFGMLoss: `feat_channels`={self.feat_channels} but sr_feat '
                f'has {sr_feat.shape[1]} and gt_sr {gt_sr.shape[1]} '
                'channels')
        fused = self.sod_proj(sod_logits) * sr_feat
        target = gt_mask.to(gt_sr.dtype) * gt_sr
        losses = dict()
        scale = self.loss_weight
        if self.use_similar:
            losses['loss_tfgm_similar'] = scale * self.similar_weight * \
                self.similar_loss(fused, target)
        if self.use_consist:
            losses['loss_tfgm_consist'] = scale * self.consist_weight * \
                F.l1_loss(fused, target)
        return losses

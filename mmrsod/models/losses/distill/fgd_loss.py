# Copyright (c) mmrsod contributors. All rights reserved.
"""FGD: Focal and Global Knowledge Distillation (Yang et al., CVPR 2022)."""
from typing import Dict, List, Tuple

import torch
from mmdet.registry import MODELS
from torch import Tensor, nn

from ..level_pairs import check_level_pairs

__all__ = ['FGDLoss', 'FGDContextBlock', 'fgd_box_masks', 'fgd_attention']


class FGDContextBlock(nn.Module):
    """GcBlock-style global relation module ``R`` of FGD (eq. 9).

    ``R(F) = F + W_v2(ReLU(LN(W_v1(sum_j softmax(W_k F)_j F_j))))``: a
    softmax-pooled context vector per image, passed through a bottleneck
    (1x1 conv to ``channels * ratio``, LayerNorm, ReLU, 1x1 conv back) and
    added to every location. ``W_k`` is Kaiming-initialised and the last
    conv zero-initialised (GCNet's ``last_zero_init``), so ``R`` starts as
    the identity. ``W_k`` and the last conv have no bias: a bias there
    cancels in the softmax and in ``R(T) - R(S)`` and would never learn.

    Args:
        channels (int): Feature channels C.
        ratio (float): Bottleneck ratio. Defaults to 0.5.
    """

    def __init__(self, channels: int, ratio: float = 0.5) -> None:
        super().__init__()
        hidden = max(1, int(channels * ratio))
        self.conv_mask = nn.Conv2d(channels, 1, 1, bias=False)
        self.channel_add = nn.Sequential(
            nn.Conv2d(channels, hidden, 1), nn.LayerNorm([hidden, 1, 1]),
            nn.ReLU(inplace=True), nn.Conv2d(hidden, channels, 1, bias=False))
        nn.init.kaiming_normal_(
            self.conv_mask.weight, mode='fan_in', nonlinearity='relu')
        nn.init.zeros_(self.channel_add[-1].weight)

    def forward(self, x: Tensor) -> Tensor:
        """Args: x (Tensor): (B, C, H, W). Returns: Tensor: (B, C, H, W)."""
        b, c, h, w = x.shape
        attn = self.conv_mask(x).view(b, 1, h * w).softmax(dim=-1)
        context = torch.bmm(x.view(b, c, h * w), attn.transpose(1, 2))
        return x + self.channel_add(context.view(b, c, 1, 1))


def fgd_box_masks(boxes: Tensor, input_shape: Tuple[int, int],
                  size: Tuple[int, int]) -> Tuple[Tensor, Tensor]:
    """FGD's foreground scale mask and normalised background mask (eq. 2-3).

    Boxes (x1, y1, x2, y2 in the network-input frame of shape
    ``input_shape`` = (H_in, W_in)) are scaled to the level (H, W) by
    ``W / W_in`` and ``H / H_in``. A box covers the cells ``floor(x1')`` to
    ``ceil(x2') - 1`` (at least one cell per axis, clipped to the map); its
    cells get ``1 / (h_box * w_box)`` with the box size counted in cells.
    Where boxes overlap the larger value, i.e. the smaller box, wins (FGD:
    "we choose the smaller box"). The background mask is 1 on cells no box
    covers, divided by their number (all zero when there are none).

    Args:
        boxes (Tensor): (N, 4) boxes, N may be 0.
        input_shape (tuple[int, int]): (H_in, W_in) of the batch input.
        size (tuple[int, int]): (H, W) of the FPN level.

    Returns:
        tuple[Tensor, Tensor]: Foreground and background masks, (H, W) each.
    """
    h, w = size
    fg = boxes.new_zeros(h, w)
    if boxes.numel():
        sx, sy = w / input_shape[1], h / input_shape[0]
        b = boxes.detach().float()
        x_lo = (b[:, 0] * sx).floor().clamp(0, w - 1)
        y_lo = (b[:, 1] * sy).floor().clamp(0, h - 1)
        x_hi = torch.maximum((b[:, 2] * sx).ceil().clamp(max=w), x_lo + 1)
        y_hi = torch.maximum((b[:, 3] * sy).ceil().clamp(max=h), y_lo + 1)
        xs = torch.arange(w, device=boxes.device, dtype=b.dtype)
        ys = torch.arange(h, device=boxes.device, dtype=b.dtype)
        in_x = (xs >= x_lo[:, None]) & (xs < x_hi[:, None])  # (N, W)
        in_y = (ys >= y_lo[:, None]) & (ys < y_hi[:, None])  # (N, H)
        inside = in_y[:, :, None] & in_x[:, None, :]  # (N, H, W)
        area = (x_hi - x_lo) * (y_hi - y_lo)
        fg = (inside.float() / area[:, None, None]).amax(dim=0).to(fg)
    bg = (fg == 0).to(fg)
    if bg.sum() > 0:
        bg = bg / bg.sum()
    return fg, bg


def fgd_attention(feat: Tensor, temperature: float) -> Tuple[Tensor, Tensor]:
    """FGD's spatial and channel attention (eq. 4-5).

    ``A^S = H W softmax(mean_c |F| / T)`` over the H x W locations and
    ``A^C = C softmax(mean_hw |F| / T)`` over the channels.

    Args:
        feat (Tensor): (B, C, H, W).
        temperature (float): T.

    Returns:
        tuple[Tensor, Tensor]: A^S (B, H, W) and A^C (B, C).
    """
    b, c, h, w = feat.shape
    absf = feat.abs()
    spatial = (absf.mean(dim=1).view(b, -1) / temperature).softmax(dim=1)
    channel = (absf.mean(dim=(2, 3)) / temperature).softmax(dim=1)
    return h * w * spatial.view(b, h, w), c * channel


@MODELS.register_module()
class FGDLoss(nn.Module):
    """Focal and Global Distillation (FGD) on FPN features, eq. 1-10.

    Per level l, with teacher map T, student map S (``phi_adapt(F_s)``,
    i.e. ``ctx.student_feats_adapted``), the box masks M (foreground scale
    mask) and N (normalised background) of :func:`fgd_box_masks`, and the
    teacher attentions A^S, A^C of :func:`fgd_attention`:

    - ``fg = alpha * sum_{c,h,w} M A^S A^C (T - S)^2``
    - ``bg = beta * sum_{c,h,w} N A^S A^C (T - S)^2``
    - ``mask = gamma * (|A^S_t - A^S_s|_1 + |A^C_t - A^C_s|_1)``
    - ``global = lambda * sum_{c,h,w} (R_l(T) - R_l(S))^2``

    each summed over the batch, divided by the batch size B, and summed over
    levels. ``R_l`` is a :class:`FGDContextBlock`, **one per level**,
    shared by teacher and student as in eq. 10 (FGD's released code keeps
    two, one per side). FGD's align layer f is the wrapper's adapters:
    FGD uses none when the channel counts agree (256 here, so the configs
    set ``adapters=None``); set ``model.adapters`` where they differ.
    Boxes are ``ctx.data_samples[i].gt_instances.bboxes`` in the network
    input frame (the LR frame in mmrsod's LR pipelines: ``DownsampleToLR``
    rescales ``gt_bboxes``), mapped to the level with ``batch_input_shape``.

    Defaults are FGD's one-stage (RetinaNet) settings (T=0.5,
    alpha=1e-3, beta=5e-4, gamma=5e-4, lambda=5e-6; FGD's released
    ``configs/distillers/fgd/fgd_retina_rx101_64x4d_distill_retina_r50_*``).
    Its two-stage settings are alpha=5e-5, beta=2.5e-5, gamma=5e-5,
    lambda=5e-7. Every parameter gets a gradient each step (DDP with
    ``find_unused_parameters=False``; FGD's own configs set it True).

    Args:
        in_channels (int): FPN channels. Defaults to 256.
        num_levels (int): FPN levels (one context block each).
            Defaults to 5.
        temperature (float): T. Defaults to 0.5.
        alpha (float): Foreground weight. Defaults to 1e-3.
        beta (float): Background weight. Defaults to 5e-4.
        gamma (float): Attention loss weight. Defaults to 5e-4.
        lambda_global (float): Global loss weight. Defaults to 5e-6.
        context_ratio (float): Context block bottleneck ratio.
            Defaults to 0.5.
    """

    def __init__(self,
                 in_channels: int = 256,
                 num_levels: int = 5,
                 temperature: float = 0.5,
                 alpha: float = 1e-3,
                 beta: float = 5e-4,
                 gamma: float = 5e-4,
                 lambda_global: float = 5e-6,
                 context_ratio: float = 0.5) -> None:
        super().__init__()
        self.num_levels = num_levels
        self.temperature = temperature
        self.alpha = alpha
        self.beta = beta
        self.gamma = gamma
        self.lambda_global = lambda_global
        self.context_blocks = nn.ModuleList(
            FGDContextBlock(in_channels, context_ratio)
            for _ in range(num_levels))

    def forward(self, ctx) -> Dict[str, Tensor]:
        """Compute the loss.

        Args:
            ctx (DistillContext): ``student_feats_adapted`` and
                ``teacher_feats`` (L maps (B, C, H_l, W_l), same shapes),
                ``data_samples`` (GT boxes, ``batch_input_shape``).

        Returns:
            dict[str, Tensor]: ``loss_fgd_fg``, ``loss_fgd_bg``,
            ``loss_fgd_mask`` and ``loss_fgd_global`` (scalars).
        """
        students, teachers = ctx.student_feats_adapted, ctx.teacher_feats
        check_level_pairs(
            'FGDLoss', students, teachers, num_levels=self.num_levels)
        samples = ctx.data_samples
        if len(samples) != students[0].shape[0]:
            raise ValueError(f'FGDLoss: {len(samples)} data samples for a '
                             f'batch of {students[0].shape[0]}')
        input_shape = tuple(samples[0].metainfo['batch_input_shape'])
        boxes: List[Tensor] = [s.gt_instances.bboxes for s in samples]
        losses = dict(
            loss_fgd_fg=0.,
            loss_fgd_bg=0.,
            loss_fgd_mask=0.,
            loss_fgd_global=0.)
        for s, t, block in zip(students, teachers, self.context_blocks):
            t = t.detach()
            num, _, h, w = t.shape
            masks = [
                fgd_box_masks(b.to(t.device), input_shape, (h, w))
                for b in boxes
            ]
            fg = torch.stack([m[0] for m in masks])[:, None].to(t)
            bg = torch.stack([m[1] for m in masks])[:, None].to(t)
            sp_t, ch_t = fgd_attention(t, self.temperature)
            sp_s, ch_s = fgd_attention(s, self.temperature)
            weight = sp_t[:, None] * ch_t[:, :, None, None]
            sq = (s - t).pow(2) * weight
            losses['loss_fgd_fg'] += self.alpha * (sq * fg).sum() / num
            losses['loss_fgd_bg'] += self.beta * (sq * bg).sum() / num
            losses['loss_fgd_mask'] += self.gamma * (
                (sp_s - sp_t).abs().sum() + (ch_s - ch_t).abs().sum()) / num
            losses['loss_fgd_global'] += self.lambda_global * (
                block(t) - block(s)).pow(2).sum() / num
        return losses

# Copyright (c) mmrsod contributors. All rights reserved.
"""Auxiliary super-resolution decoder (ASRD) of SRAL."""
from typing import Dict, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from mmseg.utils import ConfigType, OptConfigType, OptMultiConfig, SampleList
from torch import Tensor

from ..utils import EDSRBlock, stack_gt_sr

__all__ = ['ASRDHead']


@MODELS.register_module()
class ASRDHead(BaseModule):
    """ASRD: reconstructs the HR image (YCbCr) from a low- and a high-level
    encoder feature.

    ::

        f_mid  = Fuse([C_k(f_low), resize(f_high, size(f_low))])
        x      = TE_3(TE_2(TE_1(f_mid)))      # TE = deconv x2 + EDSRBlock
        p_sr   = Conv(x) (+ bicubic-2x LR input in YCbCr, optional)
        f_sr   = Conv'(x)                     # feature for TFGM (optional)

    With a SRAL encoder (SODResNet + PPMNeck) ``f_low = f2`` (stride 4)
    and ``f_high = f6``; on a plain mmseg ResNetV1c (PSPNet/DeepLabv3+)
    ``f_low`` is the stride-4 256-channel stage and ``f_high`` the last
    2048-channel stage (stride 8). Three stride-2 deconvs make the output
    8x ``f_low`` (448 for a 224 input).

    Defaults follow the authors' released code: ``C_k`` = 1x1 conv to 64 +
    BN + ReLU; ``Fuse`` = DeepLabv3+-style ``C3x3(320->256) + Dropout(0.5)
    -> C3x3(256->128) + Dropout(0.1) -> Conv1x1(128->64)``; deconvs k2 s2
    with widths 64 -> 64 -> 32 -> 16; two parallel 1x1 convs give
    ``pred_sr`` and ``sr_feat`` (3 channels each); **no input residual**
    (the paper's eq. 7 adds the upsampled input, the authors' training
    does not). Paper-style variant: ``low_kernel_size=3,
    fuse_channels=(64,), fuse_dropouts=(0.,), mid_kernel_size=3,
    mid_with_norm_act=True, up_channels=(32, 16, 3)`` and
    ``act_cfg=dict(type='PReLU')``; ``input_residual=True``.

    ``Conv'`` (``conv_feat``) exists only with ``with_feat=True``: the
    feature feeds TFGM alone, and a layer that gets no gradient breaks
    DistributedDataParallel, so :class:`SRALSegmentor` builds the head with
    ``with_feat`` set to whether it has a TFGM loss.

    SR loss (eq. 18): ``loss_weight * MSE(pred_sr, gt_sr)`` in YCbCr [0, 1]
    (``loss_weight`` = lambda_2 = 100). The head reads no training state:
    the authors' weight-1 first epoch is applied from outside by
    :class:`mmrsod.engine.hooks.SRLossWarmupHook`, which sets
    ``loss_weight_override`` (None: ``loss_weight`` is used).

    Args:
        in_channels (Sequence[int]): Channels of ``(f_low, f_high)``.
            Defaults to ``(256, 256)`` (f2 and f6 of SRAL-R50).
        in_index (Sequence[int]): Indices of ``(f_low, f_high)`` in the
            encoder outputs. Defaults to ``(1, 5)``.
        low_channels (int): Channels after ``C_k``. Defaults to 64.
        low_kernel_size (int): Kernel of ``C_k`` (code 1, paper 3).
            Defaults to 1.
        fuse_channels (Sequence[int]): Widths of the 3x3 fusion convs.
            Defaults to ``(256, 128)``.
        fuse_dropouts (Sequence[float]): Dropout after each fusion conv.
            Defaults to ``(0.5, 0.1)``.
        mid_channels (int): Channels of ``f_mid``. Defaults to 64.
        mid_kernel_size (int): Kernel of the last fusion conv.
            Defaults to 1.
        mid_with_norm_act (bool): Norm + activation after the last fusion
            conv (code: plain conv with bias). Defaults to False.
        up_channels (Sequence[int]): Output widths of the deconvs.
            Defaults to ``(64, 32, 16)``.
        deconv_kernel_size (int): Deconv kernel (stride 2, exact 2x).
            Defaults to 2.
        edsr_norm_cfg (dict, optional): Norm inside the EDSR blocks.
            Defaults to None (code).
        edsr_act_cfg (dict, optional): Activation after each conv of the
            EDSR blocks. Defaults to None (code).
        out_channels (int): Channels of ``pred_sr``. Defaults to 3.
        feat_channels (int): Channels of ``sr_feat``. Defaults to 3.
        with_feat (bool): Build ``conv_feat`` and return ``sr_feat``
            (needed by TFGM only). Defaults to True.
        pred_kernel_size (int): Kernel of the two output convs.
            Defaults to 1.
        input_residual (bool): Add the bicubic-2x upsampled LR input in
            YCbCr [0, 1] to ``pred_sr`` (paper eq. 7). Defaults to False.
        conv_cfg (dict, optional): Conv config. Defaults to None.
        norm_cfg (dict): Norm config. Defaults to ``dict(type='BN')``.
        act_cfg (dict): Activation config. Defaults to
            ``dict(type='ReLU')``.
        align_corners (bool): ``align_corners`` of the feature resizing
            (f_high to the size of f_low). Defaults to True (the authors'
            code).
        loss_weight (float): Weight of the SR loss (lambda_2).
            Defaults to 100.
        loss_name (str): Key of the SR loss. Defaults to ``'loss_sr'``.
        init_cfg (dict | list[dict], optional): Init config.
    """

    def __init__(self,
                 in_channels: Sequence[int] = (256, 256),
                 in_index: Sequence[int] = (1, 5),
                 low_channels: int = 64,
                 low_kernel_size: int = 1,
                 fuse_channels: Sequence[int] = (256, 128),
                 fuse_dropouts: Sequence[float] = (0.5, 0.1),
                 mid_channels: int = 64,
                 mid_kernel_size: int = 1,
                 mid_with_norm_act: bool = False,
                 up_channels: Sequence[int] = (64, 32, 16),
                 deconv_kernel_size: int = 2,
                 edsr_norm_cfg: OptConfigType = None,
                 edsr_act_cfg: OptConfigType = None,
                 out_channels: int = 3,
                 feat_channels: int = 3,
                 with_feat: bool = True,
                 pred_kernel_size: int = 1,
                 input_residual: bool = False,
                 conv_cfg: OptConfigType = None,
                 norm_cfg: ConfigType = dict(type='BN', requires_grad=True),
                 act_cfg: ConfigType = dict(type='ReLU'),
                 align_corners: bool = True,
                 loss_weight: float = 100.0,
                 loss_name: str = 'loss_sr',
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg)
        if len(in_channels) != 2 or len(in_index) != 2:
            raise ValueError('ASRDHead: `in_channels` and `in_index` must '
                             'both be (low, high) pairs, got '
                             f'{in_channels} and {in_index}')
        if len(fuse_dropouts) != len(fuse_channels):
            raise ValueError('ASRDHead: `fuse_dropouts` needs one value per '
                             f'`fuse_channels` entry, got {fuse_dropouts} '
                             f'for {fuse_channels}')
        if not up_channels:
            raise ValueError('ASRDHead: `up_channels` must not be empty')
        if input_residual and out_channels != 3:
            raise ValueError('ASRDHead: `input_residual=True` needs '
                             f'out_channels=3, got {out_channels}')
        self.in_channels = tuple(in_channels)
        self.in_index = tuple(in_index)
        self.input_residual = input_residual
        self.align_corners = align_corners
        self.loss_weight = loss_weight
        # set by SRLossWarmupHook during the warm-up epochs, else None
        self.loss_weight_override: Optional[float] = None
        self.with_feat = with_feat
        self._loss_name = loss_name
        common = dict(conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=act_cfg)

        self.low_conv = ConvModule(
            in_channels[0],
            low_channels,
            low_kernel_size,
            padding=low_kernel_size // 2,
            **common)
        fuse = []
        prev = low_channels + in_channels[1]
        for width, drop in zip(fuse_channels, fuse_dropouts):
            fuse.append(ConvModule(prev, width, 3, padding=1, **common))
            if drop > 0:
                fuse.append(nn.Dropout(drop))
            prev = width
        if mid_with_norm_act:
            fuse.append(
                ConvModule(
                    prev,
                    mid_channels,
                    mid_kernel_size,
                    padding=mid_kernel_size // 2,
                    **common))
        else:
            fuse.append(
                nn.Conv2d(
                    prev,
                    mid_channels,
                    mid_kernel_size,
                    padding=mid_kernel_size // 2))
        self.fuse = nn.Sequential(*fuse)

        k = deconv_kernel_size
        ups = []
        prev = mid_channels
        for width in up_channels:
            ups.append(
                nn.ConvTranspose2d(
                    prev,
                    width,
                    k,
                    stride=2,
                    padding=(k - 1) // 2,
                    output_padding=k % 2))
            ups.append(
                EDSRBlock(width, norm_cfg=edsr_norm_cfg, act_cfg=edsr_act_cfg))
            prev = width
        self.up = nn.Sequential(*ups)
        self.conv_sr = nn.Conv2d(
            prev,
            out_channels,
            pred_kernel_size,
            padding=pred_kernel_size // 2)
        if with_feat:
            self.conv_feat = nn.Conv2d(
                prev,
                feat_channels,
                pred_kernel_size,
                padding=pred_kernel_size // 2)

    def forward(self,
                inputs: Sequence[Tensor],
                lr_ycbcr: Optional[Tensor] = None
                ) -> Tuple[Tensor, Optional[Tensor]]:
        """Forward function.

        Args:
            inputs (Sequence[Tensor]): Encoder features.
            lr_ycbcr (Tensor, optional): LR input in YCbCr [0, 1], shape
                (N, 3, h, w); required when ``input_residual=True``.

        Returns:
            tuple[Tensor, Tensor | None]: ``pred_sr`` of shape (N,
            out_channels, 8h_low, 8w_low) and ``sr_feat`` of shape (N,
            feat_channels, 8h_low, 8w_low), None without ``with_feat``.
        """
        if len(inputs) <= max(self.in_index):
            raise ValueError(f'ASRDHead got {len(inputs)} input features but '
                             f'sr_head.in_index={self.in_index}')
        low = self.low_conv(inputs[self.in_index[0]])
        high = inputs[self.in_index[1]]
        if high.shape[2:] != low.shape[2:]:
            high = resize(
                high,
                size=low.shape[2:],
                mode='bilinear',
                align_corners=self.align_corners,
                warning=False)
        x = self.up(self.fuse(torch.cat([low, high], dim=1)))
        pred_sr = self.conv_sr(x)
        if self.input_residual:
            if lr_ycbcr is None:
                raise ValueError('ASRDHead: `input_residual=True` needs '
                                 '`lr_ycbcr` (the LR input in YCbCr)')
            pred_sr = pred_sr + F.interpolate(
                lr_ycbcr,
                size=pred_sr.shape[2:],
                mode='bicubic',
                align_corners=False)
        sr_feat = self.conv_feat(x) if self.with_feat else None
        return pred_sr, sr_feat

    def current_loss_weight(self) -> float:
        """SR loss weight in use.

        Returns:
            float: ``loss_weight_override`` when set (by
            ``SRLossWarmupHook``), else ``loss_weight``.
        """
        if self.loss_weight_override is not None:
            return self.loss_weight_override
        return self.loss_weight

    def loss_by_feat(self, pred_sr: Tensor,
                     batch_data_samples: SampleList) -> Dict[str, Tensor]:
        """SR loss (SRAL eq. 18).

        Args:
            pred_sr (Tensor): SR prediction of shape (N, 3, H, W).
            batch_data_samples (list[SegDataSample]): Samples carrying
                ``gt_sr`` (N x (3, H, W), YCbCr [0, 1]).

        Returns:
            dict[str, Tensor]: ``{loss_name: weighted MSE}``.
        """
        gt_sr = stack_gt_sr(batch_data_samples).to(pred_sr)
        pred_sr = self.match_size(pred_sr, gt_sr.shape[2:])
        loss = F.mse_loss(pred_sr, gt_sr)
        return {self._loss_name: self.current_loss_weight() * loss}

    def match_size(self, x: Tensor, size: Sequence[int]) -> Tensor:
        """Resize an SR-size tensor to ``size`` (at most a few pixels off).

        Args:
            x (Tensor): Tensor of shape (N, C, H, W).
            size (Sequence[int]): Target (H, W).

        Returns:
            Tensor: ``x`` resized (bilinear) to ``size`` if needed.
        """
        size = tuple(int(s) for s in size)
        if tuple(x.shape[2:]) == size:
            return x
        if any(
                abs(a - b) > max(2, b // 16)
                for a, b in zip(x.shape[2:], size)):
            raise ValueError(
                f'ASRDHead: SR output size {tuple(x.shape[2:])} does not '
                f'match the HR target size {size}; check `sr_head.in_index` '
                '(f_low must be at stride 4 of the input for a 2x output) '
                'and `sr_head.up_channels` (one deconv x2 per entry)')
        return resize(
            x,
            size=size,
            mode='bilinear',
            align_corners=self.align_corners,
            warning=False)

    @property
    def loss_name(self) -> str:
        """str: Key of the SR loss."""
        return self._loss_name

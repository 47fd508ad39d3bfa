# Copyright (c) mmrsod contributors. All rights reserved.
"""SDCoNet's SR branch: a Swin U-Net decoder on the shared encoder."""
from typing import Dict, Sequence, Tuple

import torch
from mmdet.models.backbones.swin import SwinBlockSequence
from mmdet.registry import MODELS
from mmdet.structures import SampleList
from mmdet.utils import ConfigType, OptMultiConfig
from mmengine.model import BaseModule
from torch import Tensor, nn

from .patch_expanding import PatchExpanding

__all__ = ['SwinUNetSRHead']

MISSING_GT_SR = ('use DownsampleToLR(keep_hr=True) in the train pipeline and '
                 "model.data_preprocessor=dict(type='DetSRDataPreprocessor')")


@MODELS.register_module()
class SwinUNetSRHead(BaseModule):
    """Swin U-Net SR decoder of SDCoNet (Sec. III-C, eqs. 2-4).

    The decoder starts from the coarsest encoder map (stride 32) and
    repeats three times: patch expanding (LayerNorm + stride-2 transposed
    convolution, eq. 2) to the channels of the next finer encoder map, the
    encoder skip of that stride **added**, then a sequence of standard Swin
    blocks (mmdet's ``SwinBlockSequence``, eq. 3). This gives
    ``in_channels[0]`` channels at stride 4. Two more patch expandings
    (no Swin blocks: their cost at strides 2 and 1 is large) give
    ``max(in_channels[0] // 2, dec_channels)`` channels at stride 2 and
    ``dec_channels`` at the LR input's resolution (``F_dec``). Eq. 4 then
    reconstructs the HR image::

        I_SR = Conv3x3(PixelShuffle(LeakyReLU(Conv3x3(F_dec))))

    with ``upscale**2 * dec_channels`` channels before the pixel shuffle
    and 3 after the last convolution. ``I_SR`` is in [0, 1] RGB image space
    (no normalisation, no sigmoid), in the channel order of the network
    input.

    Inputs whose size is not a multiple of 32 give encoder maps of
    ``ceil`` sizes (Swin pads); every expanded map is cropped to the size
    of the next skip, and the full-resolution map to the input size, so
    the output is exactly ``upscale`` times the (padded) input.

    Args:
        in_channels (Sequence[int]): Channels of the four encoder maps at
            strides 4, 8, 16, 32. Defaults to Swin-T's (96, 192, 384, 768).
        depths (Sequence[int]): Swin blocks after each of the three
            expansions (strides 16, 8, 4). Defaults to (2, 2, 2).
        num_heads (Sequence[int]): Attention heads of those blocks.
            Defaults to (12, 6, 3).
        window_size (int): Swin window size. Defaults to 7.
        mlp_ratio (float): Swin MLP hidden / embedding channels.
            Defaults to 2.0.
        dec_channels (int): Channels of ``F_dec``. Defaults to 32.
        upscale (int): HR size / LR input size. Defaults to 2.
        loss_sr (dict): Pixel loss on [0, 1] images. Defaults to
            ``dict(type='L1Loss', loss_weight=5.0)``.
        init_cfg (dict, optional): Initialisation config. Defaults to None:
            Swin's (truncated normal std 0.02 for linear layers, LayerNorm
            weight 1 and bias 0; convolutions keep PyTorch's default).
    """

    def __init__(self,
                 in_channels: Sequence[int] = (96, 192, 384, 768),
                 depths: Sequence[int] = (2, 2, 2),
                 num_heads: Sequence[int] = (12, 6, 3),
                 window_size: int = 7,
                 mlp_ratio: float = 2.0,
                 dec_channels: int = 32,
                 upscale: int = 2,
                 loss_sr: ConfigType = dict(type='L1Loss', loss_weight=5.0),
                 init_cfg: OptMultiConfig = None) -> None:
        if init_cfg is None:
            init_cfg = [
                dict(type='TruncNormal', layer='Linear', std=0.02, bias=0.0),
                dict(type='Constant', layer='LayerNorm', val=1.0, bias=0.0)
            ]
        super().__init__(init_cfg=init_cfg)
        if len(in_channels) != 4:
            raise ValueError('SwinUNetSRHead: in_channels must give the 4 '
                             'encoder maps at strides 4..32, got '
                             f'{tuple(in_channels)}')
        if len(depths) != 3 or len(num_heads) != 3:
            raise ValueError('SwinUNetSRHead: depths and num_heads need one '
                             'entry per decoder stage (strides 16, 8, 4), got '
                             f'{tuple(depths)} and {tuple(num_heads)}')
        self.in_channels = tuple(in_channels)
        self.upscale = upscale
        self.expands = nn.ModuleList()
        self.stages = nn.ModuleList()
        for k in range(3):
            c_in, c_out = in_channels[3 - k], in_channels[2 - k]
            self.expands.append(PatchExpanding(c_in, c_out))
            self.stages.append(
                SwinBlockSequence(
                    embed_dims=c_out,
                    num_heads=num_heads[k],
                    feedforward_channels=int(mlp_ratio * c_out),
                    depth=depths[k],
                    window_size=window_size))
        mid_channels = max(in_channels[0] // 2, dec_channels)
        self.expand_s2 = PatchExpanding(in_channels[0], mid_channels)
        self.expand_s1 = PatchExpanding(mid_channels, dec_channels)
        self.reconstruct = nn.Sequential(
            nn.Conv2d(dec_channels, upscale**2 * dec_channels, 3, padding=1),
            nn.LeakyReLU(0.2, inplace=True), nn.PixelShuffle(upscale),
            nn.Conv2d(dec_channels, 3, 3, padding=1))
        self.loss_sr = MODELS.build(loss_sr)

    @staticmethod
    def _crop(x: Tensor, size: Sequence[int]) -> Tensor:
        """Crop the bottom/right of (B, C, H, W) to ``size`` (h, w)."""
        h, w = int(size[0]), int(size[1])
        if x.shape[-2] < h or x.shape[-1] < w:
            raise ValueError(
                f'SwinUNetSRHead: an expanded map of {tuple(x.shape[-2:])} '
                f'is smaller than the {(h, w)} it must match: are the '
                'encoder maps at strides 4, 8, 16, 32 of the input?')
        return x[..., :h, :w]

    def forward(self, feats: Sequence[Tensor],
                input_shape: Tuple[int, int]) -> Tensor:
        """Reconstruct the HR image.

        Args:
            feats (Sequence[Tensor]): The 4 encoder maps, (B, C_i, H_i, W_i)
                at strides 4, 8, 16, 32 (``H_i = ceil(H / stride)``).
            input_shape (tuple[int, int]): (H, W) of the (padded) network
                input.

        Returns:
            Tensor: (B, 3, upscale * H, upscale * W) SR image in [0, 1]
            image space (not clamped).
        """
        if len(feats) != 4:
            raise ValueError(
                f'SwinUNetSRHead: expects 4 encoder maps (strides 4..32), '
                f'got {len(feats)}: set model.backbone.out_indices='
                '(0, 1, 2, 3) and model.neck_in_indices=(1, 2, 3)')
        x = feats[3]
        for k in range(3):
            skip = feats[2 - k]
            x = self._crop(self.expands[k](x), skip.shape[-2:]) + skip
            b, c, h, w = x.shape
            tokens = x.flatten(2).transpose(1, 2)
            tokens = self.stages[k](tokens, (h, w))[0]
            x = tokens.transpose(1, 2).reshape(b, c, h, w)
        in_h, in_w = int(input_shape[0]), int(input_shape[1])
        x = self._crop(self.expand_s2(x), (-(-in_h // 2), -(-in_w // 2)))
        x = self._crop(self.expand_s1(x), (in_h, in_w))
        return self.reconstruct(x)

    def loss(self, feats: Sequence[Tensor],
             batch_data_samples: SampleList) -> Dict[str, Tensor]:
        """SR loss against each sample's ``gt_sr``.

        ``gt_sr`` is the [0, 1] HR image prepared by
        :class:`DetSRDataPreprocessor` (zero-padded to ``upscale`` times the
        padded batch input). The loss is masked to each sample's valid HR
        region ``sr_scale * img_shape`` and averaged over its valid pixels
        and 3 channels (then multiplied by the loss weight).

        Args:
            feats (Sequence[Tensor]): The 4 encoder maps, see
                :meth:`forward`.
            batch_data_samples (list[DetDataSample]): Samples with
                ``gt_sr`` and metainfo ``img_shape``, ``batch_input_shape``.

        Returns:
            dict[str, Tensor]: ``loss_sr``.
        """
        missing = [
            i for i, s in enumerate(batch_data_samples) if 'gt_sr' not in s
        ]
        if missing:
            raise ValueError(f'SwinUNetSRHead: samples {missing} of the '
                             f'batch have no gt_sr; {MISSING_GT_SR}')
        input_shape = batch_data_samples[0].metainfo['batch_input_shape']
        pred = self(feats, input_shape)
        target = torch.stack([s.gt_sr.data for s in batch_data_samples])
        if target.shape != pred.shape or target.dtype != pred.dtype:
            raise ValueError(
                f'SwinUNetSRHead: gt_sr batch {tuple(target.shape)} '
                f'({target.dtype}) does not match the SR output '
                f'{tuple(pred.shape)} ({pred.dtype}); {MISSING_GT_SR}')
        weight = torch.zeros_like(pred)
        for i, sample in enumerate(batch_data_samples):
            scale = sample.metainfo.get('sr_scale', self.upscale)
            if scale != self.upscale:
                raise ValueError(
                    f'SwinUNetSRHead: sample {i} has sr_scale {scale} but '
                    f'the head upscales {self.upscale}x: set '
                    f'model.sr_head.upscale={scale}')
            h, w = sample.metainfo['img_shape'][:2]
            weight[i, :, :scale * h, :scale * w] = 1.0
        loss = self.loss_sr(
            pred, target, weight=weight, avg_factor=weight.sum().clamp(min=1))
        return dict(loss_sr=loss)

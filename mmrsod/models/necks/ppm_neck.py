# Copyright (c) mmrsod contributors. All rights reserved.
"""Pyramid pooling neck appending a global-context feature (SRAL f6)."""
from typing import Sequence, Tuple

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from mmseg.utils import ConfigType, OptConfigType, OptMultiConfig
from torch import Tensor

__all__ = ['PPMNeck']


@MODELS.register_module()
class PPMNeck(BaseModule):
    """Pyramid pooling module used as a neck: returns the inputs plus f6.

    ``f5' = C_k(f5)`` reduces the selected feature to ``channels``; every
    pooling branch is ``AdaptiveAvgPool(s) -> C1x1 -> bilinear upsample``;
    the branches are concatenated (``f5'`` itself only when
    ``concat_input=True``, as in PSPNet) and fused by ``C1x1`` into f6.
    ``C`` is conv + norm + activation (SRAL: BN + PReLU).

    SRAL variants:

    * authors' code (default): ``pool_scales=(1, 2, 3, 6)``,
      ``concat_input=False``, ``align_corners=True``;
    * paper eq. 3: ``pool_scales=(1, 2, 3, 4)``, ``concat_input=False``.

    Args:
        in_channels (int): Channels of the selected input feature.
            Defaults to 2048.
        channels (int): Channels of the reduced feature, the branches and
            f6. Defaults to 256.
        pool_scales (Sequence[int]): Output sizes of the adaptive average
            pools. Defaults to (1, 2, 3, 6).
        in_index (int): Index of the input feature that is pooled.
            Defaults to -1.
        reduce_kernel_size (int): Kernel size of the reduction conv.
            Defaults to 3.
        concat_input (bool): Also concatenate the un-pooled reduced feature
            before fusion. Defaults to False.
        conv_cfg (dict, optional): Conv config. Defaults to None.
        norm_cfg (dict): Norm config. Defaults to ``dict(type='BN')``.
        act_cfg (dict): Activation config. Defaults to
            ``dict(type='PReLU')``.
        align_corners (bool): ``align_corners`` of the upsampling.
            Defaults to True.
        init_cfg (dict | list[dict], optional): Init config.
    """

    def __init__(self,
                 in_channels: int = 2048,
                 channels: int = 256,
                 pool_scales: Sequence[int] = (1, 2, 3, 6),
                 in_index: int = -1,
                 reduce_kernel_size: int = 3,
                 concat_input: bool = False,
                 conv_cfg: OptConfigType = None,
                 norm_cfg: ConfigType = dict(type='BN', requires_grad=True),
                 act_cfg: ConfigType = dict(type='PReLU'),
                 align_corners: bool = True,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg)
        if not pool_scales:
            raise ValueError('PPMNeck: `pool_scales` must not be empty')
        self.in_index = in_index
        self.pool_scales = tuple(pool_scales)
        self.concat_input = concat_input
        self.align_corners = align_corners
        common = dict(conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=act_cfg)
        self.reduce = ConvModule(
            in_channels,
            channels,
            reduce_kernel_size,
            padding=reduce_kernel_size // 2,
            **common)
        self.branches = nn.ModuleList([
            nn.Sequential(
                nn.AdaptiveAvgPool2d(scale),
                ConvModule(channels, channels, 1, **common))
            for scale in self.pool_scales
        ])
        num_cat = len(self.pool_scales) + int(concat_input)
        self.fuse = ConvModule(channels * num_cat, channels, 1, **common)

    def forward(self, inputs: Sequence[Tensor]) -> Tuple[Tensor, ...]:
        """Forward function.

        Args:
            inputs (Sequence[Tensor]): Multi-level features, e.g.
                ``(f1, ..., f5)`` of :class:`SODResNet`.

        Returns:
            tuple[Tensor]: ``(*inputs, f6)`` where f6 has shape
            (N, channels, h, w), the size of ``inputs[in_index]``.
        """
        x = self.reduce(inputs[self.in_index])
        outs = [x] if self.concat_input else []
        for branch in self.branches:
            outs.append(
                resize(
                    branch(x),
                    size=x.shape[2:],
                    mode='bilinear',
                    align_corners=self.align_corners,
                    warning=False))
        f6 = self.fuse(torch.cat(outs, dim=1))
        return tuple(inputs) + (f6, )

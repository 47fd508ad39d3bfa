# Copyright (c) mmrsod contributors. All rights reserved.
"""EDSR-style residual convolution block used by SRAL's ASRD.

Registered in mmengine's root ``MODELS`` registry, the parent of mmseg's and
mmdet's: ``dict(type='EDSRBlock', ...)`` builds under ``default_scope``
``'mmseg'`` and ``'mmdet'`` alike, so SR heads of segmentors and detectors
can share it without a scope prefix.
"""
from typing import Optional

import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.registry import MODELS
from torch import Tensor

__all__ = ['EDSRBlock']


@MODELS.register_module()
class EDSRBlock(nn.Module):
    """``C3x3(ReLU(C3x3(X))) + C1x1(X)`` (SRAL paper eq. 8).

    With the defaults (``norm_cfg=None``, ``bias=False``) it is the block
    of the SRAL authors' code: two bias-free 3x3 convs with a ReLU in
    between and a bias-free 1x1 projection on the skip (no BN, no residual
    scaling, unlike the original EDSR block). Setting ``norm_cfg`` and
    ``act_cfg`` turns every ``C`` into conv + norm + activation as written
    in the paper.

    Args:
        in_channels (int): Input channels.
        out_channels (int, optional): Output channels. Defaults to
            ``in_channels``.
        norm_cfg (dict, optional): Norm config of the convs. Defaults to
            None (plain convs).
        act_cfg (dict, optional): Activation after each conv besides the
            ReLU between them (paper: PReLU). Defaults to None.
        bias (bool | str): Conv bias; ``'auto'`` as in ``ConvModule``.
            Defaults to False.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: Optional[int] = None,
                 norm_cfg: Optional[dict] = None,
                 act_cfg: Optional[dict] = None,
                 bias: bool = False) -> None:
        super().__init__()
        out_channels = out_channels or in_channels
        common = dict(norm_cfg=norm_cfg, act_cfg=act_cfg, bias=bias)
        self.conv1 = ConvModule(
            in_channels, out_channels, 3, padding=1, **common)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = ConvModule(
            out_channels, out_channels, 3, padding=1, **common)
        self.shortcut = ConvModule(in_channels, out_channels, 1, **common)

    def forward(self, x: Tensor) -> Tensor:
        """Forward function.

        Args:
            x (Tensor): Input of shape (N, C_in, H, W).

        Returns:
            Tensor: Output of shape (N, C_out, H, W).
        """
        return self.conv2(self.relu(self.conv1(x))) + self.shortcut(x)

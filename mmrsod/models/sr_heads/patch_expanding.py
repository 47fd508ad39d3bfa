# Copyright (c) mmrsod contributors. All rights reserved.
"""Patch expanding: the up-sampling step of a Swin U-Net decoder."""
from mmcv.cnn import build_norm_layer
from mmdet.utils import ConfigType, OptMultiConfig
from mmengine.model import BaseModule
from torch import Tensor, nn

__all__ = ['PatchExpanding']


class PatchExpanding(BaseModule):
    """LayerNorm over channels, then a stride-2 transposed convolution.

    SDCoNet's eq. 2: the inverse of Swin's patch merging. Each token is
    normalised and expanded into a 2x2 block of tokens with
    ``out_channels`` channels.

    Args:
        in_channels (int): Channels of the input map.
        out_channels (int): Channels of the output map.
        norm_cfg (dict): Norm layer over the channels. Defaults to
            ``dict(type='LN')``.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 norm_cfg: ConfigType = dict(type='LN'),
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.norm = build_norm_layer(norm_cfg, in_channels)[1]
        self.expand = nn.ConvTranspose2d(
            in_channels, out_channels, kernel_size=2, stride=2)

    def forward(self, x: Tensor) -> Tensor:
        """Expand a map 2x.

        Args:
            x (Tensor): (B, C_in, H, W).

        Returns:
            Tensor: (B, C_out, 2H, 2W).
        """
        x = self.norm(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
        return self.expand(x.contiguous())

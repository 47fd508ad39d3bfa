# Copyright (c) mmrsod contributors. All rights reserved.
"""ResNet that also returns its stride-2 stem feature."""
from typing import Tuple

from mmseg.models.backbones import ResNet
from mmseg.registry import MODELS
from torch import Tensor

__all__ = ['SODResNet']


@MODELS.register_module()
class SODResNet(ResNet):
    """ResNet returning the stem feature in front of the stage features.

    Salient object detection decoders such as SRAL's TSDD fuse the stride-2
    stem activation (after ``conv1 -> bn1 -> relu``, before the max-pool)
    with the four residual stages. This class keeps mmseg's
    :class:`~mmseg.models.backbones.ResNet` unchanged (so with
    ``style='pytorch'`` and ``deep_stem=False`` its ``state_dict`` keys are
    torchvision's and ``init_cfg=dict(type='Pretrained',
    checkpoint='torchvision://resnet50')`` loads ImageNet weights) and only
    prepends the stem feature to the outputs.

    For a 224x224 input and ``depth=50`` the outputs ``(f1, ..., f5)`` have
    64/256/512/1024/2048 channels at strides 2/4/8/16/32 (112/56/28/14/7
    pixels); for ``depth=18`` the channels are 64/64/128/256/512.

    Args:
        with_stem_feature (bool): Prepend the stem feature to the outputs.
            Defaults to True.
        **kwargs: Arguments of :class:`mmseg.models.backbones.ResNet`
            (``depth``, ``out_indices``, ``norm_cfg``, ``init_cfg``, ...).
    """

    def __init__(self, with_stem_feature: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.with_stem_feature = with_stem_feature

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        """Forward function.

        Args:
            x (Tensor): Images of shape (N, C, H, W).

        Returns:
            tuple[Tensor]: ``(stem, *stages)``: the stem feature of shape
            (N, stem_channels, H/2, W/2) followed by the stage outputs
            selected by ``out_indices``. Without ``with_stem_feature`` only
            the stage outputs, as mmseg's ResNet.
        """
        if self.deep_stem:
            x = self.stem(x)
        else:
            x = self.relu(self.norm1(self.conv1(x)))
        outs = [x] if self.with_stem_feature else []
        x = self.maxpool(x)
        for i, layer_name in enumerate(self.res_layers):
            x = getattr(self, layer_name)(x)
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)

    def train(self, mode: bool = True) -> 'SODResNet':
        """Set the train/eval mode (keeping frozen stages and ``norm_eval``).

        mmseg's ``ResNet.train`` returns None; this returns ``self`` as
        :meth:`torch.nn.Module.train` does, so ``model.eval()`` chains.

        Args:
            mode (bool): Training mode. Defaults to True.

        Returns:
            SODResNet: ``self``.
        """
        super().train(mode)
        return self

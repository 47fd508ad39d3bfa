# Copyright (c) mmrsod contributors. All rights reserved.
"""Model settings small enough for CPU tests."""
from typing import Sequence

__all__ = ['tiny_tiny_vit_cfg']


def tiny_tiny_vit_cfg(neck_channels: int = 16,
                      depths: Sequence[int] = (1, 1, 1, 1)) -> dict:
    """Settings of a TinyViT a few thousand parameters big.

    The architecture of MobileSAM's vit_t (four stages, windowed attention,
    a stride-1 last merge, the convolutional neck, the classifier head) with
    embed dims 8/16/16/32, heads 1/2/2/4, 3x3 windows and 10 classes, so a
    64 px forward takes milliseconds on CPU.

    Args:
        neck_channels (int): Output channels of the neck; EDE adds the
            features to 256-channel FPN maps, so distillation tests pass 256.
            Defaults to 16.
        depths (Sequence[int]): Blocks per stage. Defaults to (1, 1, 1, 1).

    Returns:
        dict: Keyword arguments of :class:`mmrsod.models.backbones.TinyViT`
        (``MobileSAMEncoder(encoder=...)``); ``repr`` of it is valid config
        text.
    """
    return dict(
        embed_dims=(8, 16, 16, 32),
        depths=tuple(depths),
        num_heads=(1, 2, 2, 4),
        window_sizes=(3, 3, 3, 3),
        neck_channels=neck_channels,
        num_classes=10)

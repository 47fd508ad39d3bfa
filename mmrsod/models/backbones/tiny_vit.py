# Copyright (c) mmrsod contributors. All rights reserved.
"""TinyViT, the image encoder of MobileSAM (``vit_t``).

Written from the TinyViT / MobileSAM papers' description; the module tree
is laid out so that parameter and buffer names are exactly those of the
``image_encoder.*`` entries of the official ``mobile_sam.pt`` (with the
``image_encoder.`` prefix removed), e.g. ``patch_embed.seq.0.c.weight``,
``layers.0.blocks.1.conv3.bn.running_var``,
``layers.2.blocks.5.attn.attention_biases``,
``layers.3.blocks.1.mlp.fc2.bias``,
``norm_head.weight``, ``head.weight`` and ``neck.3.bias``.
"""
import itertools
from typing import Sequence, Tuple

import torch
import torch.nn.functional as F
from mmcv.cnn.bricks import DropPath
from mmdet.registry import MODELS
from torch import Tensor, nn

__all__ = [
    'TinyViT', 'ConvBN', 'MBConv', 'PatchMerging', 'WindowAttention',
    'TinyViTBlock', 'LayerNorm2d', 'relative_position_index'
]


def relative_position_index(window_size: int) -> Tensor:
    """Index of the learnt bias of every (query, key) pair of a window.

    TinyViT learns one bias per head for every distinct absolute offset
    ``(|dy|, |dx|)`` between two positions of a ``w x w`` window, numbered
    ``|dy| * w + |dx|`` (the order in which the offsets first appear when
    the pairs are enumerated row by row).

    Args:
        window_size (int): The window side ``w``.

    Returns:
        Tensor: (w*w, w*w) int64 indices in ``[0, w*w)``.
    """
    points = list(itertools.product(range(window_size), range(window_size)))
    ys = torch.tensor([p[0] for p in points])
    xs = torch.tensor([p[1] for p in points])
    dy = (ys[:, None] - ys[None, :]).abs()
    dx = (xs[:, None] - xs[None, :]).abs()
    return dy * window_size + dx


class ConvBN(nn.Sequential):
    """Bias-free convolution followed by BatchNorm (official ``Conv2d_BN``).

    Children are named ``c`` and ``bn`` as in the official checkpoint.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        kernel_size (int): Kernel size. Defaults to 1.
        stride (int): Stride. Defaults to 1.
        padding (int): Padding. Defaults to 0.
        groups (int): Convolution groups. Defaults to 1.
        bn_weight_init (float): Initial BatchNorm scale. Defaults to 1.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 kernel_size: int = 1,
                 stride: int = 1,
                 padding: int = 0,
                 groups: int = 1,
                 bn_weight_init: float = 1.0) -> None:
        super().__init__()
        self.add_module(
            'c',
            nn.Conv2d(
                in_channels,
                out_channels,
                kernel_size,
                stride,
                padding,
                groups=groups,
                bias=False))
        bn = nn.BatchNorm2d(out_channels)
        nn.init.constant_(bn.weight, bn_weight_init)
        nn.init.zeros_(bn.bias)
        self.add_module('bn', bn)


class LayerNorm2d(nn.Module):
    """LayerNorm over the channels of a (B, C, H, W) map (SAM's neck).

    Args:
        num_channels (int): C.
        eps (float): Added to the variance. Defaults to 1e-6.
    """

    def __init__(self, num_channels: int, eps: float = 1e-6) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(num_channels))
        self.bias = nn.Parameter(torch.zeros(num_channels))
        self.eps = eps

    def forward(self, x: Tensor) -> Tensor:
        """Normalise each location over its channels.

        Args:
            x (Tensor): (B, C, H, W).

        Returns:
            Tensor: (B, C, H, W).
        """
        mean = x.mean(1, keepdim=True)
        var = (x - mean).pow(2).mean(1, keepdim=True)
        x = (x - mean) * torch.rsqrt(var + self.eps)
        return x * self.weight[:, None, None] + self.bias[:, None, None]


class MBConv(nn.Module):
    """Inverted residual block of TinyViT's first stage.

    1x1 expand -> GELU -> 3x3 depth-wise -> GELU -> 1x1 project (BN scale
    initialised to 0) -> + input -> GELU.

    Args:
        channels (int): Input and output channels.
        expand_ratio (float): Hidden channels / ``channels``.
        drop_path (float): Stochastic depth rate. Defaults to 0.
    """

    def __init__(self,
                 channels: int,
                 expand_ratio: float,
                 drop_path: float = 0.) -> None:
        super().__init__()
        hidden = int(channels * expand_ratio)
        self.conv1 = ConvBN(channels, hidden, 1)
        self.act1 = nn.GELU()
        self.conv2 = ConvBN(hidden, hidden, 3, 1, 1, groups=hidden)
        self.act2 = nn.GELU()
        self.conv3 = ConvBN(hidden, channels, 1, bn_weight_init=0.)
        self.act3 = nn.GELU()
        self.drop_path = DropPath(drop_path) if drop_path > 0 else \
            nn.Identity()

    def forward(self, x: Tensor) -> Tensor:
        """Apply the block.

        Args:
            x (Tensor): (B, C, H, W).

        Returns:
            Tensor: (B, C, H, W).
        """
        y = self.act1(self.conv1(x))
        y = self.act2(self.conv2(y))
        y = self.conv3(y)
        return self.act3(x + self.drop_path(y))


class PatchMerging(nn.Module):
    """Down-sampling between stages: 1x1 -> GELU -> 3x3 dw -> GELU -> 1x1.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        stride (int): Stride of the depth-wise convolution (MobileSAM uses
            1 for the last merge, keeping stride 16 overall).
    """

    def __init__(self, in_channels: int, out_channels: int,
                 stride: int) -> None:
        super().__init__()
        self.act = nn.GELU()
        self.conv1 = ConvBN(in_channels, out_channels, 1)
        self.conv2 = ConvBN(
            out_channels, out_channels, 3, stride, 1, groups=out_channels)
        self.conv3 = ConvBN(out_channels, out_channels, 1)

    def forward(self, x: Tensor) -> Tensor:
        """Merge.

        Args:
            x (Tensor): (B, C_in, H, W).

        Returns:
            Tensor: (B, C_out, ceil(H / stride), ceil(W / stride)).
        """
        x = self.act(self.conv1(x))
        x = self.act(self.conv2(x))
        return self.conv3(x)


class WindowAttention(nn.Module):
    """Multi-head self-attention inside one window, with learnt biases.

    Pre-normalised (``norm``), fused ``qkv`` whose output is laid out per
    head as ``[q, k, v]``, a learnt bias per head and relative offset
    (``attention_biases``, ``(num_heads, w*w)``) and an output ``proj``.

    The biases are gathered into a (heads, N, N) table on every call rather
    than cached at ``.eval()``: the official module caches that table when
    it is switched to eval mode, so weights loaded after ``.eval()`` would
    leave the cache stale. Here loading order does not matter.

    Args:
        dim (int): Token channels.
        num_heads (int): Heads; ``dim`` must be divisible by it.
        window_size (int): Window side ``w``.
    """

    def __init__(self, dim: int, num_heads: int, window_size: int) -> None:
        super().__init__()
        if dim % num_heads:
            raise ValueError(f'dim {dim} is not divisible by num_heads '
                             f'{num_heads}')
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.norm = nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.attention_biases = nn.Parameter(
            torch.zeros(num_heads, window_size * window_size))
        self.register_buffer(
            'attention_bias_idxs',
            relative_position_index(window_size),
            persistent=False)

    def forward(self, x: Tensor) -> Tensor:
        """Attend within each window.

        Args:
            x (Tensor): (B', N, C) tokens of B' windows of N = w*w tokens.

        Returns:
            Tensor: (B', N, C).
        """
        b, n, c = x.shape
        qkv = self.qkv(self.norm(x)).view(b, n, self.num_heads,
                                          3 * self.head_dim)
        q, k, v = qkv.permute(0, 2, 1, 3).chunk(3, dim=-1)
        bias = self.attention_biases[:, self.attention_bias_idxs]
        out = F.scaled_dot_product_attention(
            q, k, v, attn_mask=bias.to(q.dtype))
        return self.proj(out.transpose(1, 2).reshape(b, n, c))


class Mlp(nn.Module):
    """Pre-normalised two-layer MLP (``norm``, ``fc1``, GELU, ``fc2``).

    Args:
        dim (int): Input and output channels.
        hidden_dim (int): Hidden channels.
        drop (float): Dropout after each linear. Defaults to 0.
    """

    def __init__(self, dim: int, hidden_dim: int, drop: float = 0.) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, hidden_dim)
        self.fc2 = nn.Linear(hidden_dim, dim)
        self.act = nn.GELU()
        self.drop = nn.Dropout(drop)

    def forward(self, x: Tensor) -> Tensor:
        """Apply the MLP on the last dimension.

        Args:
            x (Tensor): (..., C).

        Returns:
            Tensor: (..., C).
        """
        x = self.drop(self.act(self.fc1(self.norm(x))))
        return self.drop(self.fc2(x))


class TinyViTBlock(nn.Module):
    """Window attention + depth-wise 3x3 ``local_conv`` + MLP.

    ``x + attn(x)`` on non-overlapping windows (the map is zero-padded at
    the bottom/right to a multiple of the window and cropped back), then a
    depth-wise ``local_conv`` (no residual), then ``x + mlp(x)``.

    Args:
        dim (int): Channels.
        num_heads (int): Attention heads.
        window_size (int): Window side.
        mlp_ratio (float): MLP hidden / ``dim``. Defaults to 4.
        drop (float): MLP dropout. Defaults to 0.
        drop_path (float): Stochastic depth rate. Defaults to 0.
        local_conv_size (int): Kernel of ``local_conv``. Defaults to 3.
    """

    def __init__(self,
                 dim: int,
                 num_heads: int,
                 window_size: int,
                 mlp_ratio: float = 4.,
                 drop: float = 0.,
                 drop_path: float = 0.,
                 local_conv_size: int = 3) -> None:
        super().__init__()
        self.window_size = window_size
        self.attn = WindowAttention(dim, num_heads, window_size)
        self.mlp = Mlp(dim, int(dim * mlp_ratio), drop)
        self.local_conv = ConvBN(
            dim, dim, local_conv_size, 1, local_conv_size // 2, groups=dim)
        self.drop_path = DropPath(drop_path) if drop_path > 0 else \
            nn.Identity()

    def _window_attention(self, x: Tensor) -> Tensor:
        """Attention on (B, H, W, C) tokens window by window."""
        b, h, w, c = x.shape
        ws = self.window_size
        pad_b, pad_r = (-h) % ws, (-w) % ws
        if pad_b or pad_r:
            x = F.pad(x, (0, 0, 0, pad_r, 0, pad_b))
        ph, pw = h + pad_b, w + pad_r
        nh, nw = ph // ws, pw // ws
        x = x.view(b, nh, ws, nw, ws, c).transpose(2, 3)
        x = self.attn(x.reshape(b * nh * nw, ws * ws, c))
        x = x.view(b, nh, nw, ws, ws, c).transpose(2, 3)
        return x.reshape(b, ph, pw, c)[:, :h, :w]

    def forward(self, x: Tensor) -> Tensor:
        """Apply the block.

        Args:
            x (Tensor): (B, C, H, W).

        Returns:
            Tensor: (B, C, H, W).
        """
        tokens = x.permute(0, 2, 3, 1)
        tokens = tokens + self.drop_path(self._window_attention(tokens))
        x = self.local_conv(tokens.permute(0, 3, 1, 2).contiguous())
        tokens = x.permute(0, 2, 3, 1)
        tokens = tokens + self.drop_path(self.mlp(tokens))
        return tokens.permute(0, 3, 1, 2).contiguous()


class PatchEmbed(nn.Module):
    """Stem: two 3x3 stride-2 ConvBN with a GELU between (stride 4).

    Args:
        in_channels (int): Image channels.
        embed_dim (int): Output channels.
    """

    def __init__(self, in_channels: int, embed_dim: int) -> None:
        super().__init__()
        self.seq = nn.Sequential(
            ConvBN(in_channels, embed_dim // 2, 3, 2, 1), nn.GELU(),
            ConvBN(embed_dim // 2, embed_dim, 3, 2, 1))

    def forward(self, x: Tensor) -> Tensor:
        """Embed.

        Args:
            x (Tensor): (B, C_in, H, W).

        Returns:
            Tensor: (B, embed_dim, H/4, W/4).
        """
        return self.seq(x)


class _Stage(nn.Module):
    """``blocks`` (a ModuleList) then an optional ``downsample``."""

    def __init__(self,
                 blocks: Sequence[nn.Module],
                 downsample: nn.Module = None) -> None:
        super().__init__()
        self.blocks = nn.ModuleList(blocks)
        self.downsample = downsample

    def forward(self, x: Tensor) -> Tensor:
        for block in self.blocks:
            x = block(x)
        if self.downsample is not None:
            x = self.downsample(x)
        return x


@MODELS.register_module()
class TinyViT(nn.Module):
    """TinyViT image encoder with SAM's neck (MobileSAM ``vit_t``).

    The defaults build MobileSAM's encoder (TinyViT-5M): a stride-4 stem,
    stage 0 of MBConv blocks, stages 1-3 of window-attention blocks, patch
    merging between stages with strides 2, 2 and 1 (so the last stage stays
    at stride 16), and a neck ``Conv1x1 (no bias) -> LayerNorm2d ->
    Conv3x3 (no bias) -> LayerNorm2d`` to ``neck_channels``. A 1024x1024
    input gives a (B, 256, 64, 64) embedding. Any input size works (the
    official code requires 1024): the output is (B, neck_channels,
    ceil(H/16), ceil(W/16)) for even-sized strides.

    The ImageNet classifier ``norm_head``/``head`` is built but never used,
    so that the official ``image_encoder.*`` state dict loads strictly; set
    ``num_classes=0`` to drop ``head`` (``norm_head`` stays).

    Args:
        in_channels (int): Image channels. Defaults to 3.
        embed_dims (Sequence[int]): Channels per stage.
            Defaults to (64, 128, 160, 320).
        depths (Sequence[int]): Blocks per stage. Defaults to (2, 2, 6, 2).
        num_heads (Sequence[int]): Heads of stages 1-3 (entry 0 unused).
            Defaults to (2, 4, 5, 10).
        window_sizes (Sequence[int]): Window sides of stages 1-3 (entry 0
            unused). Defaults to (7, 7, 14, 7).
        merge_strides (Sequence[int]): Strides of the three patch merges.
            Defaults to (2, 2, 1).
        mlp_ratio (float): MLP ratio. Defaults to 4.
        mbconv_expand_ratio (float): MBConv expansion. Defaults to 4.
        local_conv_size (int): Block depth-wise kernel. Defaults to 3.
        drop_rate (float): MLP dropout. Defaults to 0.
        drop_path_rate (float): Largest stochastic depth rate (linear over
            blocks). Defaults to 0.
        neck_channels (int): Output channels. Defaults to 256.
        num_classes (int): Classes of the unused classifier head.
            Defaults to 1000 (as in the official checkpoint).
    """

    def __init__(self,
                 in_channels: int = 3,
                 embed_dims: Sequence[int] = (64, 128, 160, 320),
                 depths: Sequence[int] = (2, 2, 6, 2),
                 num_heads: Sequence[int] = (2, 4, 5, 10),
                 window_sizes: Sequence[int] = (7, 7, 14, 7),
                 merge_strides: Sequence[int] = (2, 2, 1),
                 mlp_ratio: float = 4.,
                 mbconv_expand_ratio: float = 4.,
                 local_conv_size: int = 3,
                 drop_rate: float = 0.,
                 drop_path_rate: float = 0.,
                 neck_channels: int = 256,
                 num_classes: int = 1000) -> None:
        super().__init__()
        num_stages = len(depths)
        if not (len(embed_dims) == len(num_heads) == len(window_sizes) ==
                num_stages and len(merge_strides) == num_stages - 1):
            raise ValueError(
                'embed_dims, num_heads and window_sizes need one entry per '
                'stage and merge_strides one per merge; got '
                f'{len(embed_dims)}/{len(num_heads)}/{len(window_sizes)} '
                f'and {len(merge_strides)} for {num_stages} stages')
        self.embed_dims = tuple(embed_dims)
        self.out_stride = 4
        for s in merge_strides:
            self.out_stride *= s
        self.patch_embed = PatchEmbed(in_channels, embed_dims[0])
        dpr = torch.linspace(0, drop_path_rate, sum(depths)).tolist()
        self.layers = nn.ModuleList()
        for i, depth in enumerate(depths):
            rates = dpr[sum(depths[:i]):sum(depths[:i + 1])]
            dim = embed_dims[i]
            if i == 0:
                blocks = [
                    MBConv(dim, mbconv_expand_ratio, rate) for rate in rates
                ]
            else:
                blocks = [
                    TinyViTBlock(dim, num_heads[i], window_sizes[i], mlp_ratio,
                                 drop_rate, rate, local_conv_size)
                    for rate in rates
                ]
            downsample = None
            if i < num_stages - 1:
                downsample = PatchMerging(dim, embed_dims[i + 1],
                                          merge_strides[i])
            self.layers.append(_Stage(blocks, downsample))
        self.norm_head = nn.LayerNorm(embed_dims[-1])
        self.head = nn.Linear(embed_dims[-1], num_classes) \
            if num_classes > 0 else nn.Identity()
        self._init_transformer_weights()
        self.neck = nn.Sequential(
            nn.Conv2d(embed_dims[-1], neck_channels, 1, bias=False),
            LayerNorm2d(neck_channels),
            nn.Conv2d(neck_channels, neck_channels, 3, padding=1, bias=False),
            LayerNorm2d(neck_channels))

    def _init_transformer_weights(self) -> None:
        """Truncated-normal (std 0.02) linears, unit LayerNorms."""
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=.02)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.LayerNorm):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x: Tensor) -> Tensor:
        """Encode images.

        Args:
            x (Tensor): (B, C, H, W) normalised images; MobileSAM uses
                1024x1024 (see
                :meth:`mmrsod.models.utils.MobileSAMEncoder.preprocess`).

        Returns:
            Tensor: (B, neck_channels, H/16, W/16) with the defaults, e.g.
            (B, 256, 64, 64) at 1024x1024.
        """
        x = self.patch_embed(x)
        for layer in self.layers:
            x = layer(x)
        return self.neck(x)

    def output_size(self, height: int, width: int) -> Tuple[int, int]:
        """Embedding size for an input size.

        Args:
            height (int): Input height.
            width (int): Input width.

        Returns:
            tuple[int, int]: (h, w) of :meth:`forward`'s output.
        """
        for _ in range(2):  # the two stride-2 stem convolutions
            height, width = (height + 1) // 2, (width + 1) // 2
        for layer in self.layers:
            if layer.downsample is not None:
                s = layer.downsample.conv2.c.stride[0]
                height = (height - 1) // s + 1
                width = (width - 1) // s + 1
        return height, width

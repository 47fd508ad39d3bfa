# Copyright (c) mmrsod contributors. All rights reserved.
"""Fold eval-mode BatchNorm into the preceding convolution.

Used by the fast inference path (:func:`mmrsod.apis.init_model`,
``tools/analysis_tools/benchmark.py``). mmcv's :func:`mmcv.cnn.fuse_conv_bn`
is not used because its rule (a BN folds into the last ``nn.Conv2d``
registered before it in the same parent, whatever lies between) is wrong in
two cases: a ``ConvModule`` whose ``order`` is not conv -> norm (the BN then
normalises the *input*, yet ``ConvModule`` always registers ``conv`` first)
and ``conv, act, bn`` siblings; and it skips ``ConvTranspose2d`` + BN (TSDD's
``deconv`` up-sampling layers). Here:

* a ``ConvModule`` is folded when ``norm`` directly follows ``conv`` in its
  ``order`` (``Conv2d`` or ``ConvTranspose2d``), never otherwise;
* elsewhere a BN is folded into a convolution registered *directly* before
  it in the same parent (mmseg's ResNet stem ``conv1, bn1``, its
  ``Bottleneck``/``BasicBlock`` ``convN, bnN`` and ``downsample``
  ``Sequential``); any other module in between prevents it.

The second rule relies on registration order matching the forward; the
tests check that the fused models give the unfused outputs.
"""
import torch
import torch.nn as nn
from mmcv.cnn import ConvModule

__all__ = ['fuse_conv_bn', 'fuse_conv2d_bn', 'fuse_conv_transpose_bn']

_BN_TYPES = (nn.modules.batchnorm._BatchNorm, )
_CONV_TYPES = (nn.Conv2d, nn.ConvTranspose2d)


def _bn_affine(bn: nn.Module):
    """Per-channel ``(scale, shift)`` of an eval BatchNorm."""
    if bn.running_mean is None or bn.running_var is None:
        raise ValueError('cannot fold a BatchNorm without running statistics '
                         '(track_running_stats=False)')
    std = torch.sqrt(bn.running_var + bn.eps)
    gamma = bn.weight if bn.weight is not None else torch.ones_like(std)
    beta = bn.bias if bn.bias is not None else torch.zeros_like(std)
    factor = gamma / std
    return factor, beta - bn.running_mean * factor


def fuse_conv_transpose_bn(deconv: nn.ConvTranspose2d,
                           bn: nn.modules.batchnorm._BatchNorm) -> None:
    """Fold ``bn`` (eval statistics) into ``deconv`` in place.

    ``y = gamma * (deconv(x) - mean) / sqrt(var + eps) + beta`` becomes a
    transposed convolution whose weight (C_in, C_out / groups, kh, kw) is
    scaled per output channel and whose bias absorbs the shift.

    Args:
        deconv (nn.ConvTranspose2d): The transposed convolution.
        bn (_BatchNorm): The BatchNorm applied to its output, with running
            statistics and affine parameters.
    """
    factor, shift = _bn_affine(bn)  # (C_out, )
    groups = deconv.groups
    weight = deconv.weight  # (C_in, C_out / groups, kh, kw)
    c_in, c_out_g = weight.shape[:2]
    weight = weight.reshape(groups, c_in // groups, c_out_g, *weight.shape[2:])
    weight = weight * factor.reshape(groups, 1, c_out_g, 1, 1)
    bias = deconv.bias if deconv.bias is not None else torch.zeros_like(shift)
    deconv.weight = nn.Parameter(weight.reshape(deconv.weight.shape).detach())
    deconv.bias = nn.Parameter((bias * factor + shift).detach())


def fuse_conv2d_bn(conv: nn.Conv2d,
                   bn: nn.modules.batchnorm._BatchNorm) -> None:
    """Fold ``bn`` (eval statistics) into ``conv`` in place.

    Args:
        conv (nn.Conv2d): The convolution; weight (C_out, C_in / g, kh, kw).
        bn (_BatchNorm): The BatchNorm applied to its output.
    """
    factor, shift = _bn_affine(bn)
    bias = conv.bias if conv.bias is not None else torch.zeros_like(shift)
    conv.weight = nn.Parameter(
        (conv.weight * factor.reshape(-1, 1, 1, 1)).detach())
    conv.bias = nn.Parameter((bias * factor + shift).detach())


def _fold(conv: nn.Module, bn: nn.Module) -> None:
    if isinstance(conv, nn.ConvTranspose2d):
        fuse_conv_transpose_bn(conv, bn)
    else:
        fuse_conv2d_bn(conv, bn)


def fuse_conv_bn(module: nn.Module) -> nn.Module:
    """Fold every eval BatchNorm into its convolution, in place.

    See the module docstring for which pairs are folded. Folded BNs are
    replaced by ``nn.Identity``. Call it on a model in eval mode only: the
    folded model no longer normalises with batch statistics.

    Args:
        module (nn.Module): The model.

    Returns:
        nn.Module: The same object.
    """
    if isinstance(module, ConvModule):
        order = list(module.order)
        if (module.with_norm and isinstance(module.norm, _BN_TYPES)
                and isinstance(module.conv, _CONV_TYPES)
                and order.index('norm') == order.index('conv') + 1):
            _fold(module.conv, module.norm)
            module._modules[module.norm_name] = nn.Identity()
        return module
    prev = None
    for name, child in list(module.named_children()):
        if isinstance(child, _BN_TYPES) and isinstance(prev, _CONV_TYPES):
            _fold(prev, child)
            module._modules[name] = nn.Identity()
        elif not isinstance(child, (_BN_TYPES, _CONV_TYPES)):
            fuse_conv_bn(child)
        prev = child
    return module

# Copyright (c) mmrsod contributors. All rights reserved.
"""BCE + soft-IoU saliency loss (SRAL eqs. 16-17)."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.registry import MODELS
from torch import Tensor

__all__ = ['StructureLoss']


@MODELS.register_module()
class StructureLoss(nn.Module):
    """Binary cross-entropy plus soft IoU loss on 1-channel saliency logits.

    ``L = bce_weight * BCE(sigmoid(pred), target)
    + iou_weight * (1 - (I + smooth) / (U - I + smooth))`` with
    ``I = sum(sigmoid(pred) * target)`` and ``U = sum(sigmoid(pred) +
    target)`` per image. The BCE is the mean over all valid pixels of the
    batch, the IoU term the mean over images (as the SRAL authors'
    ``structure_loss``: no boundary weighting despite its name). Soft
    (bilinearly resized) labels in [0, 1] are supported. Usable as an mmseg
    ``loss_decode`` entry.

    Args:
        bce_weight (float): Weight of the BCE term. Defaults to 1.0.
        iou_weight (float): Weight of the IoU term. Defaults to 1.0.
        smooth (float): Smoothing added to numerator and denominator of the
            IoU. Defaults to 1.0.
        loss_weight (float): Weight of the whole loss. Defaults to 1.0.
        loss_name (str): Name of the loss item; must start with ``loss_``
            to be back-propagated. Defaults to ``'loss_sod'``.
    """

    def __init__(self,
                 bce_weight: float = 1.0,
                 iou_weight: float = 1.0,
                 smooth: float = 1.0,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_sod') -> None:
        super().__init__()
        self.bce_weight = bce_weight
        self.iou_weight = iou_weight
        self.smooth = smooth
        self.loss_weight = loss_weight
        self._loss_name = loss_name

    def forward(self,
                pred: Tensor,
                target: Tensor,
                weight: Optional[Tensor] = None,
                ignore_index: Optional[int] = 255,
                **kwargs) -> Tensor:
        """Compute the loss.

        Args:
            pred (Tensor): Logits of shape (N, 1, H, W) (or (N, H, W)).
            target (Tensor): Labels in [0, 1] of shape (N, H, W) or
                (N, 1, H, W); pixels equal to ``ignore_index`` are ignored.
            weight (Tensor, optional): Pixel weights of shape (N, H, W) or
                (N, 1, H, W). Defaults to None.
            ignore_index (int, optional): Ignored label value.
                Defaults to 255.
            **kwargs: Ignored (mmseg passes extra arguments to losses).

        Returns:
            Tensor: Scalar loss.
        """
        if pred.dim() == 4:
            if pred.shape[1] != 1:
                raise ValueError(
                    'StructureLoss expects 1-channel saliency logits '
                    f'(N, 1, H, W), got {tuple(pred.shape)}; set the decode '
                    "head's `out_channels=1` (with `num_classes=2`)")
            pred = pred[:, 0]
        if target.dim() == 4:
            target = target[:, 0]
        if pred.shape != target.shape:
            raise ValueError('StructureLoss: prediction shape '
                             f'{tuple(pred.shape)} does not match target '
                             f'shape {tuple(target.shape)}')
        target = target.to(pred.dtype)
        valid = torch.ones_like(target)
        if ignore_index is not None:
            valid = (target != ignore_index).to(pred.dtype)
            target = target * valid
        if weight is not None:
            if weight.dim() == 4:
                weight = weight[:, 0]
            valid = valid * weight.to(pred.dtype)

        bce = F.binary_cross_entropy_with_logits(
            pred, target, reduction='none')
        bce = (bce * valid).sum() / valid.sum().clamp_min(1e-12)

        prob = pred.sigmoid() * valid
        target = target * valid
        inter = (prob * target).sum(dim=(1, 2))
        union = (prob + target).sum(dim=(1, 2))
        iou = 1 - (inter + self.smooth) / (union - inter + self.smooth)

        loss = self.bce_weight * bce + self.iou_weight * iou.mean()
        return self.loss_weight * loss

    @property
    def loss_name(self) -> str:
        """str: Name of the loss item (used as key by mmseg heads)."""
        return self._loss_name

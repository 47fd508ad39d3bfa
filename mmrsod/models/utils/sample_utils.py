# Copyright (c) mmrsod contributors. All rights reserved.
"""Helpers that stack per-sample targets of ``SegDataSample`` batches."""
import torch
from mmseg.utils import SampleList
from torch import Tensor

__all__ = ['stack_gt_sem_seg', 'stack_gt_sr']


def stack_gt_sem_seg(batch_data_samples: SampleList) -> Tensor:
    """Stack ``gt_sem_seg`` into a float tensor of shape (N, 1, H, W).

    Args:
        batch_data_samples (list[SegDataSample]): Samples carrying
            ``gt_sem_seg``.

    Returns:
        Tensor: Saliency labels of shape (N, 1, H, W), float.
    """
    masks = []
    for i, sample in enumerate(batch_data_samples):
        if 'gt_sem_seg' not in sample:
            raise KeyError(f'data sample {i} has no `gt_sem_seg`')
        masks.append(sample.gt_sem_seg.data)
    return torch.stack(masks, dim=0).float()


def stack_gt_sr(batch_data_samples: SampleList) -> Tensor:
    """Stack the HR targets ``gt_sr`` into a tensor of shape (N, 3, H, W).

    Args:
        batch_data_samples (list[SegDataSample]): Samples carrying
            ``gt_sr`` (the HR image in YCbCr, [0, 1]).

    Returns:
        Tensor: HR targets of shape (N, 3, H, W), float.
    """
    targets = []
    for i, sample in enumerate(batch_data_samples):
        if 'gt_sr' not in sample:
            raise KeyError(
                f'data sample {i} has no `gt_sr` (the HR YCbCr target); the '
                'training pipeline of an SR-assisted config must provide it '
                '(or set `model.sr_head=None, model.tfgm=None`)')
        targets.append(sample.gt_sr.data)
    return torch.stack(targets, dim=0).float()

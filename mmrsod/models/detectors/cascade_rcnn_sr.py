# Copyright (c) mmrsod contributors. All rights reserved.
"""Cascade R-CNN with SDCoNet's SR branch (the paper's Table V)."""
from typing import Optional, Sequence, Tuple

from mmdet.models.detectors import CascadeRCNN
from mmdet.registry import MODELS
from mmdet.structures import SampleList
from mmdet.utils import ConfigType, OptConfigType, OptMultiConfig
from torch import Tensor, nn

from .sr_branch_mixin import SRBranchMixin

__all__ = ['CascadeRCNNSR']


@MODELS.register_module()
class CascadeRCNNSR(SRBranchMixin, CascadeRCNN):
    """:class:`CascadeRCNN` whose backbone also feeds an SR head.

    Training adds ``loss_sr`` while the SR branch is active (see
    :class:`SRBranchMixin`); prediction is Cascade R-CNN's. With
    ``sr_head=None`` and ``neck_in_indices=None`` it is Cascade R-CNN.

    Args:
        backbone (dict): Backbone config.
        neck (dict, optional): Neck config.
        rpn_head (dict, optional): RPN head config.
        roi_head (dict, optional): Cascade RoI head config.
        train_cfg (dict, optional): Training config.
        test_cfg (dict, optional): Testing config.
        data_preprocessor (dict, optional): Data preprocessor config.
        sr_head (dict, optional): SR head config, e.g.
            ``dict(type='SwinUNetSRHead')``. Defaults to None.
        neck_in_indices (Sequence[int], optional): Positions of the
            backbone outputs given to the neck. Defaults to None (all).
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 backbone: ConfigType,
                 neck: OptConfigType = None,
                 rpn_head: OptConfigType = None,
                 roi_head: OptConfigType = None,
                 train_cfg: OptConfigType = None,
                 test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 sr_head: OptConfigType = None,
                 neck_in_indices: Optional[Sequence[int]] = None,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(
            backbone=backbone,
            neck=neck,
            rpn_head=rpn_head,
            roi_head=roi_head,
            train_cfg=train_cfg,
            test_cfg=test_cfg,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        self._init_sr_branch(sr_head, neck_in_indices)

    def loss(self, batch_inputs: Tensor,
             batch_data_samples: SampleList) -> dict:
        """Cascade R-CNN losses, plus ``loss_sr`` when the SR is active.

        The backbone outputs are taken with a forward hook held only for
        this call, so the parent's ``loss`` runs unchanged.

        Args:
            batch_inputs (Tensor): (B, 3, H, W) network input.
            batch_data_samples (list[DetDataSample]): Samples with
                ``gt_instances`` (and ``gt_sr`` when the SR is active).

        Returns:
            dict[str, Tensor]: Losses.
        """
        if self.sr_head is None or not self.sr_active:
            return super().loss(batch_inputs, batch_data_samples)
        captured = []

        def keep_outputs(module: nn.Module, args: Tuple,
                         outputs: Sequence[Tensor]) -> None:
            captured.append(outputs)

        handle = self.backbone.register_forward_hook(keep_outputs)
        try:
            losses = super().loss(batch_inputs, batch_data_samples)
        finally:
            handle.remove()
        assert len(captured) == 1, 'the backbone ran more than once'
        losses.update(self.loss_sr(captured[0], batch_data_samples))
        return losses

# Copyright (c) mmrsod contributors. All rights reserved.
"""An auxiliary SR branch on the backbone of an mmdet detector."""
import copy
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from mmdet.models.backbones import SwinTransformer
from mmdet.registry import MODELS
from mmdet.structures import SampleList
from mmdet.utils import OptConfigType
from torch import Tensor
from torch.nn import Parameter

from mmrsod.utils.errors import ConfigError

__all__ = ['SRBranchMixin']


class SRBranchMixin:
    """Give an mmdet detector an SR head fed by its backbone (SDCoNet).

    Put it first in the bases (``class X(SRBranchMixin, DINO)``) and call
    :meth:`_init_sr_branch` at the end of ``__init__``. The backbone may
    return more maps than the neck takes (Swin-T returns all 4 stages for
    the SR decoder; the neck gets ``neck_in_indices``, e.g. stages 2-4).
    The backbone norms of outputs that only the SR head uses (Swin's
    ``norm0``) belong to the SR branch: they are in :meth:`sr_parameters`,
    frozen with it, and removed by :meth:`strip_auxiliary`.

    The SR branch is switched by :meth:`set_sr_active` (see
    :class:`mmrsod.engine.hooks.GradientRoutingHook`): inactive, it is not
    run, gives no loss and its parameters have ``requires_grad=False``.
    At test time it is never run.
    """

    def _init_sr_branch(self, sr_head: OptConfigType,
                        neck_in_indices: Optional[Sequence[int]]) -> None:
        """Build the SR head and store the neck's backbone outputs.

        Args:
            sr_head (dict, optional): SR head config; None for no SR branch.
            neck_in_indices (Sequence[int], optional): Positions, in the
                backbone's output tuple, of the maps given to the neck.
                None gives the neck every map (the parent's behaviour).
        """
        self.sr_head = MODELS.build(sr_head) if sr_head is not None else None
        self._sr_active = True
        if neck_in_indices is None:
            self.neck_in_indices = None
            return
        neck_in_indices = tuple(int(i) for i in neck_in_indices)
        out_indices = getattr(self.backbone, 'out_indices', None)
        if out_indices is not None and (
                len(set(neck_in_indices)) != len(neck_in_indices)
                or not all(0 <= i < len(out_indices)
                           for i in neck_in_indices)):
            raise ConfigError(
                f'model.neck_in_indices={neck_in_indices} must be distinct '
                f'positions in the {len(out_indices)} backbone outputs '
                f'(model.backbone.out_indices={tuple(out_indices)})')
        self.neck_in_indices = neck_in_indices

    def neck_features(self, backbone_feats: Sequence[Tensor]) -> Tuple:
        """Select the neck's backbone maps and run the neck.

        Args:
            backbone_feats (Sequence[Tensor]): All backbone outputs.

        Returns:
            tuple[Tensor]: The neck's outputs (the selected maps when the
            detector has no neck).
        """
        feats = tuple(backbone_feats)
        if self.neck_in_indices is not None:
            feats = tuple(feats[i] for i in self.neck_in_indices)
        if self.with_neck:
            feats = self.neck(feats)
        return feats

    def extract_feat(self, batch_inputs: Tensor) -> Tuple:
        """Backbone, then :meth:`neck_features`.

        Args:
            batch_inputs (Tensor): (B, 3, H, W) network input.

        Returns:
            tuple[Tensor]: Multi-level features of the detector.
        """
        return self.neck_features(self.backbone(batch_inputs))

    @property
    def sr_active(self) -> bool:
        """bool: Whether the SR branch runs in ``loss`` (True by default;
        it still needs an SR head to do anything)."""
        return getattr(self, '_sr_active', True)

    def set_sr_active(self, active: bool) -> None:
        """Switch the SR branch on or off (gradient routing stage).

        Args:
            active (bool): Run the SR branch and train its parameters.
        """
        self._sr_active = bool(active)
        for param in self.sr_parameters():
            param.requires_grad_(self._sr_active)

    def _sr_only_outputs(self) -> List[int]:
        """Positions of the backbone outputs that the neck does not take."""
        if self.neck_in_indices is None:
            return []
        num_outputs = len(self.backbone.out_indices)
        return [i for i in range(num_outputs) if i not in self.neck_in_indices]

    def _sr_only_norm_names(self) -> List[str]:
        """Names of the Swin output norms used by the SR branch only."""
        if not isinstance(self.backbone, SwinTransformer):
            return []
        return [
            f'norm{self.backbone.out_indices[i]}'
            for i in self._sr_only_outputs()
            if hasattr(self.backbone, f'norm{self.backbone.out_indices[i]}')
        ]

    def sr_parameters(self) -> Iterator[Parameter]:
        """Parameters of the SR branch.

        Yields:
            Parameter: Those of ``sr_head`` and of the backbone output
            norms that only the SR head uses.
        """
        if self.sr_head is not None:
            yield from self.sr_head.parameters()
        for name in self._sr_only_norm_names():
            yield from getattr(self.backbone, name).parameters()

    def loss_sr(self, backbone_feats: Sequence[Tensor],
                batch_data_samples: SampleList) -> Dict[str, Tensor]:
        """SR loss, when the branch exists and is active.

        Args:
            backbone_feats (Sequence[Tensor]): All backbone outputs.
            batch_data_samples (list[DetDataSample]): Samples with
                ``gt_sr``.

        Returns:
            dict[str, Tensor]: ``loss_sr``, or empty.
        """
        if self.sr_head is None or not self.sr_active:
            return dict()
        return self.sr_head.loss(backbone_feats, batch_data_samples)

    def strip_auxiliary(self) -> None:
        """Remove the SR branch for inference or export.

        Deletes the SR head, the backbone outputs the neck does not use
        (``backbone.out_indices`` reduced) and their Swin norms, and sets
        ``neck_in_indices`` to None. Afterwards the parameters and
        state-dict keys are those of the same detector built without SR.
        """
        self.sr_head = None
        if self.neck_in_indices is None:
            return
        for name in self._sr_only_norm_names():
            delattr(self.backbone, name)
        out_indices = self.backbone.out_indices
        self.backbone.out_indices = tuple(out_indices[i]
                                          for i in self.neck_in_indices)
        self.neck_in_indices = None

    def test_time_model_cfg(self, model_cfg: dict) -> dict:
        """The model config of this detector after :meth:`strip_auxiliary`.

        Used by ``tools/model_converters/export_test_model.py`` to write a
        config that builds exactly the stripped model (no SR head, only
        the backbone outputs the neck uses), so the exported checkpoint
        loads without missing or unexpected keys.

        Args:
            model_cfg (dict): The training config's ``model``.

        Returns:
            dict: A copy with ``sr_head=None``, ``neck_in_indices=None`` and
            ``backbone.out_indices`` reduced to the neck's outputs.
        """
        cfg = copy.deepcopy(model_cfg)
        cfg['sr_head'] = None
        indices = cfg.get('neck_in_indices')
        if indices is not None:
            out_indices = cfg['backbone']['out_indices']
            cfg['backbone']['out_indices'] = tuple(out_indices[i]
                                                   for i in indices)
            cfg['neck_in_indices'] = None
        return cfg

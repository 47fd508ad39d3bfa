# Copyright (c) mmrsod contributors. All rights reserved.
"""SDCoNet: saliency-driven SR + detection collaboration on DINO."""
from typing import Dict, Optional, Sequence, Tuple

from mmdet.registry import MODELS
from mmdet.structures import OptSampleList, SampleList
from mmdet.utils import OptConfigType
from torch import Tensor

from mmrsod.utils.errors import ConfigError
from ..layers import BackgroundEmbedding, SaliencyFilteredEncoder
from ..utils.token_selection import (check_filter_ratios,
                                     hierarchical_token_selection)
from .rs_dino import RSDINO
from .sr_branch_mixin import SRBranchMixin

__all__ = ['SDCoNet']


@MODELS.register_module()
class SDCoNet(SRBranchMixin, RSDINO):
    """SDCoNet (Saliency-Driven multi-task Collaborative Network).

    DINO on a shared Swin-T encoder whose stages also feed a Swin U-Net SR
    decoder (training only), with a multi-scale saliency predictor whose
    scores choose the tokens the transformer encoder attends with
    (hierarchical query filtering, eq. 8 of the paper). Every part is a
    switch, so one class gives the paper's ablations:

    ======================  ==================  ============  ===========
    variant                 ``saliency_head``   filters       ``sr_head``
    ======================  ==================  ============  ===========
    DINO (baseline)         None                None          None
    DINO-Saliency           cfg                 paper's       None
    DINO-SR branch          None                None          cfg
    SDCoNet                 cfg                 paper's       cfg
    ======================  ==================  ============  ===========

    With every switch None the model is mmdet's DINO (through
    :class:`RSDINO`): the same parameters and state-dict keys. The encoder
    is :class:`~mmrsod.models.layers.SaliencyFilteredEncoder`, which has
    the parent's parameters and, without a selection, its output.

    What changes relative to DINO (everything else is inherited):

    * ``_init_layers`` swaps in the filtering encoder and builds the
      saliency head and the background embedding (outside the encoder, so
      ``DINO.init_weights``' xavier pass over the encoder leaves their own
      initialisation alone);
    * ``forward_encoder`` predicts the saliency scores, selects tokens
      (from detached scores) and adds the background embedding to the
      tokens outside the level-filtered set;
    * ``pre_decoder`` passes the scores on to the loss (training only);
    * ``loss`` adds the saliency loss and, while the SR branch is active
      (see :class:`~mmrsod.engine.hooks.GradientRoutingHook`), the SR
      loss computed on the same backbone features.

    Args:
        *args: Positional arguments of :class:`RSDINO`.
        saliency_head (dict, optional): Config of the saliency predictor
            (:class:`~mmrsod.models.layers.SaliencyScoreHead`). None: no
            saliency scores, no saliency loss, no filtering.
        level_filter_ratio (Sequence[float], optional): beta, the share of
            each pyramid level's valid tokens kept (fine to coarse; the
            paper's (0.6, 0.8, 1.0, 1.0)). None keeps every token.
        layer_filter_ratio (Sequence[float], optional): gamma, the share
            of the level-filtered tokens each encoder layer attends with
            (the paper's (1.0, 0.8, 0.6, 0.6, 0.4, 0.2)). None: all.
        background_embedding (dict, optional): Kwargs of
            :class:`~mmrsod.models.layers.BackgroundEmbedding` (e.g.
            ``dict(max_size=200)``), added to the tokens left out by the
            level filter. Needs ``level_filter_ratio`` below 1 somewhere.
        sr_head (dict, optional): Config of the SR decoder
            (:class:`~mmrsod.models.sr_heads.SwinUNetSRHead`); training
            only. None: no SR branch.
        neck_in_indices (Sequence[int], optional): Backbone outputs given
            to the neck; the others feed only the SR decoder. None: all.
        **kwargs: Keyword arguments of :class:`RSDINO` (backbone, neck,
            encoder, decoder, bbox_head, ...).
    """

    def __init__(self,
                 *args,
                 saliency_head: OptConfigType = None,
                 level_filter_ratio: Optional[Sequence[float]] = None,
                 layer_filter_ratio: Optional[Sequence[float]] = None,
                 background_embedding: OptConfigType = None,
                 sr_head: OptConfigType = None,
                 neck_in_indices: Optional[Sequence[int]] = None,
                 **kwargs) -> None:
        # saved before super().__init__, which calls _init_layers
        self.saliency_head_cfg = saliency_head
        self.background_embedding_cfg = background_embedding
        self.encoder_cfg = kwargs['encoder']
        num_levels = kwargs.get('num_feature_levels', 4)
        num_layers = self.encoder_cfg['num_layers']
        self.level_filter_ratio = None
        if level_filter_ratio is not None:
            self.level_filter_ratio = tuple(
                check_filter_ratios(level_filter_ratio, num_levels,
                                    'model.level_filter_ratio',
                                    'feature levels'))
        self.layer_filter_ratio = None
        if layer_filter_ratio is not None:
            self.layer_filter_ratio = tuple(
                check_filter_ratios(layer_filter_ratio, num_layers,
                                    'model.layer_filter_ratio'))
        filtering = (
            self.level_filter_ratio is not None
            or self.layer_filter_ratio is not None)
        if filtering and saliency_head is None:
            raise ConfigError('model.level_filter_ratio / '
                              'model.layer_filter_ratio rank tokens by '
                              'saliency: set model.saliency_head')
        if background_embedding is not None and (
                self.level_filter_ratio is None
                or min(self.level_filter_ratio) == 1.0):
            raise ConfigError(
                'model.background_embedding is added to the tokens the '
                'level filter leaves out; with model.level_filter_ratio '
                f'{self.level_filter_ratio} there are none (and its '
                'parameters would never train): set it to None')
        self.filters_tokens = filtering
        super().__init__(*args, **kwargs)
        self._init_sr_branch(sr_head, neck_in_indices)

    def _init_layers(self) -> None:
        """DINO's layers, the filtering encoder, the saliency head and the
        background embedding."""
        super()._init_layers()
        self.encoder = SaliencyFilteredEncoder(**self.encoder_cfg)
        self.saliency_head = None
        if self.saliency_head_cfg is not None:
            cfg = dict(self.saliency_head_cfg)
            cfg.setdefault('embed_dims', self.embed_dims)
            cfg.setdefault('num_levels', self.num_feature_levels)
            self.saliency_head = MODELS.build(cfg)
        self.background_embedding = None
        if self.background_embedding_cfg is not None:
            self.background_embedding = BackgroundEmbedding(
                embed_dims=self.embed_dims, **self.background_embedding_cfg)

    def forward_encoder(self, feat: Tensor, feat_mask: Optional[Tensor],
                        feat_pos: Tensor, spatial_shapes: Tensor,
                        level_start_index: Tensor,
                        valid_ratios: Tensor) -> Dict:
        """Saliency scores, token selection and the filtered encoder.

        Args:
            feat (Tensor): Flattened neck features, (bs, num_tokens, dim).
            feat_mask (Tensor, optional): Padding mask (bs, num_tokens),
                True on padding; None for batches without padding.
            feat_pos (Tensor): Positional + level embeddings, like
                ``feat``.
            spatial_shapes (Tensor): (num_levels, 2) token grids (h, w).
            level_start_index (Tensor): (num_levels,) first token of each
                level.
            valid_ratios (Tensor): (bs, num_levels, 2) valid share of each
                level.

        Returns:
            dict: ``memory``, ``memory_mask`` and ``spatial_shapes`` as in
            DINO, plus ``saliency_scores`` (bs, num_tokens) in training
            when the model has a saliency head.
        """
        # without filtering the scores only feed the saliency loss: not
        # computed at test time
        if self.saliency_head is None or not (self.filters_tokens
                                              or self.training):
            return super().forward_encoder(feat, feat_mask, feat_pos,
                                           spatial_shapes, level_start_index,
                                           valid_ratios)
        scores = self.saliency_head(feat, spatial_shapes, level_start_index,
                                    feat_mask)
        selection = None
        if self.filters_tokens:
            num_levels = spatial_shapes.shape[0]
            num_layers = len(self.encoder.layers)
            selection = hierarchical_token_selection(
                scores.detach(),
                spatial_shapes,
                level_start_index,
                feat_mask,
                self.level_filter_ratio or (1.0, ) * num_levels,
                self.layer_filter_ratio or (1.0, ) * num_layers,
                num_layers=num_layers)
        memory = self.encoder(
            query=feat,
            query_pos=feat_pos,
            key_padding_mask=feat_mask,
            spatial_shapes=spatial_shapes,
            level_start_index=level_start_index,
            valid_ratios=valid_ratios,
            selection=selection)
        if self.background_embedding is not None:
            memory = self.background_embedding.add_to_background(
                memory, spatial_shapes, selection.level_selected, feat_mask)
        outputs = dict(
            memory=memory,
            memory_mask=feat_mask,
            spatial_shapes=spatial_shapes)
        if self.training:
            outputs['saliency_scores'] = scores
        return outputs

    def pre_decoder(
        self,
        memory: Tensor,
        memory_mask: Optional[Tensor],
        spatial_shapes: Tensor,
        batch_data_samples: OptSampleList = None,
        saliency_scores: Optional[Tensor] = None,
    ) -> Tuple[Dict]:
        """DINO's query selection; the saliency scores ride along to the
        loss in the head inputs (training only, like DINO's own
        ``enc_outputs_class``).

        Args:
            memory (Tensor): Encoder output (bs, num_tokens, dim).
            memory_mask (Tensor, optional): Padding mask or None.
            spatial_shapes (Tensor): (num_levels, 2) token grids.
            batch_data_samples (list[DetDataSample], optional): The batch.
            saliency_scores (Tensor, optional): (bs, num_tokens) fused
                saliency logits.

        Returns:
            tuple[dict]: Decoder inputs and head inputs; the latter with a
            ``saliency`` entry when scores were given.
        """
        decoder_inputs_dict, head_inputs_dict = super().pre_decoder(
            memory, memory_mask, spatial_shapes, batch_data_samples)
        if saliency_scores is not None:
            head_inputs_dict['saliency'] = dict(
                scores=saliency_scores,
                spatial_shapes=spatial_shapes,
                padding_mask=memory_mask)
        return decoder_inputs_dict, head_inputs_dict

    def loss(self, batch_inputs: Tensor,
             batch_data_samples: SampleList) -> Dict[str, Tensor]:
        """Detection losses, the saliency loss and (stage 2) the SR loss.

        Args:
            batch_inputs (Tensor): LR input batch (bs, 3, H, W),
                normalised.
            batch_data_samples (list[DetDataSample]): The batch, with
                ``gt_instances`` (input frame) and, for the SR loss,
                ``gt_sr`` from :class:`DetSRDataPreprocessor`.

        Returns:
            dict[str, Tensor]: DINO's losses plus ``loss_saliency`` and
            ``loss_sr`` when those parts are on.
        """
        backbone_feats = self.backbone(batch_inputs)
        img_feats = self.neck_features(backbone_feats)
        head_inputs_dict = self.forward_transformer(img_feats,
                                                    batch_data_samples)
        saliency = head_inputs_dict.pop('saliency', None)
        losses = self.bbox_head.loss(
            **head_inputs_dict, batch_data_samples=batch_data_samples)
        if saliency is not None:
            losses.update(
                self.saliency_head.loss(
                    saliency['scores'],
                    saliency['spatial_shapes'],
                    saliency['padding_mask'],
                    batch_data_samples=batch_data_samples))
        losses.update(self.loss_sr(backbone_feats, batch_data_samples))
        return losses

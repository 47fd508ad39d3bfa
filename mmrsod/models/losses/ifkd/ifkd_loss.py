# Copyright (c) mmrsod contributors. All rights reserved.
"""IFKD: EDE, FDR and HSM put together on the distillation wrapper."""
import copy
from typing import Dict, List, Optional, Tuple

import torch
from mmdet.registry import MODELS
from mmdet.utils import ConfigType, OptConfigType
from torch import Tensor, nn

from mmrsod.models.utils.ede import (add_external_disturbance,
                                     external_disturbance)
from mmrsod.models.utils.feature_cache import FeatureCache, make_cache_key
from mmrsod.models.utils.mobile_sam_encoder import MobileSAMEncoder
from mmrsod.utils import ConfigError
from .frs_richness_mask import frs_richness_mask

__all__ = ['IFKDLoss', 'raw_rgb_images']

_EDE_KEYS = ('checkpoint', 'allow_random', 'cache_dir', 'encoder', 'img_size')


def raw_rgb_images(batch_inputs: Tensor,
                   data_preprocessor: Optional[nn.Module]) -> Tensor:
    """Undo the data pre-processor's normalisation.

    Args:
        batch_inputs (Tensor): Normalised batch (B, 3, H, W), as the
            detectors see it.
        data_preprocessor (nn.Module, optional): An mmengine
            ``ImgDataPreprocessor`` (mmdet's ``DetDataPreprocessor`` and
            subclasses): ``mean``/``std`` buffers (3, 1, 1) and
            ``_channel_conversion`` (True when it turned BGR into RGB).

    Returns:
        Tensor: (B, 3, H, W) float RGB on the 0-255 scale (the batch
        padding is ``pad_value`` un-normalised; crop it away).

    Raises:
        ValueError: if the pre-processor does not normalise (no
            ``mean``/``std``) or is missing.
    """
    if data_preprocessor is None or not getattr(data_preprocessor,
                                                '_enable_normalize', False):
        raise ValueError(
            'IFKDLoss (EDE): the data pre-processor must normalise with '
            'mean/std (mmdet DetDataPreprocessor) so the raw image can be '
            'recovered for MobileSAM')
    mean = data_preprocessor.mean.to(batch_inputs)
    std = data_preprocessor.std.to(batch_inputs)
    images = batch_inputs * std + mean
    if not getattr(data_preprocessor, '_channel_conversion', False):
        images = images.flip(1)  # the detector sees BGR: make it RGB
    return images


@MODELS.register_module()
class IFKDLoss(nn.Module):
    """Information-fusion distillation (IFKD, eqs. 1-14) on FPN maps.

    For each batch, with ``F_s`` the student FPN maps, ``phi_adapt`` the
    wrapper's adapters (a 3x3 conv per level, ``ctx.student_feats_adapted``)
    and ``F_t`` the teacher's maps:

    1. **EDE** (eq. 1-2): ``F_t' = F_t + sigmoid(F_sam)``, with the
       MobileSAM embedding of the raw image (valid part resized to each
       level, zero on batch padding); embeddings come from a feature cache
       when ``cache_dir`` is set.
    2. **FDR** (eqs. 3-8): ``T = phi_FDR(F_t')`` with the FRS richness mask
       of the teacher's classification outputs (RetinaNet: max sigmoid over
       anchors x classes; Faster R-CNN: the RPN objectness). With
       ``fdr_on_student`` the student side is ``phi_FDR(phi_adapt(F_s))``
       with the same r and filters (Fig. 2's caption).
    3. **HSM** (eqs. 9-11): per level the detached, per-image normalised
       Poincare distance between the student side ``S`` and the target
       ``T``.
    4. **Losses** (eqs. 12-14): ``loss_ifkd_feat = alpha * L_feat(S, T,
       HSM)`` and ``loss_ifkd_head = beta * L_head(y_s, y_t, HSM)``.

    Each of ``ede``, ``fdr`` and ``hsm`` is a ``None`` switch, so Table 4's
    ablation is configs: without EDE ``F_t' = F_t``; without FDR
    ``T = F_t'``; without HSM every location weighs 1.

    The MobileSAM encoder is frozen, kept in eval mode and stored as a
    plain attribute: it is not in ``state_dict()``, ``parameters()`` or
    DDP's buckets, and ``_apply`` moves it with the module. The FDR
    filters are parameters: they train with the student and are dropped by
    ``tools/model_converters/export_student.py``.

    Args:
        ede (dict, optional): ``checkpoint`` (``mobile_sam.pt``),
            ``allow_random`` (accept no checkpoint: tests, timing),
            ``cache_dir`` (feature cache root; None encodes every batch),
            ``encoder`` (TinyViT kwargs; None = MobileSAM's vit_t) and
            ``img_size`` (MobileSAM input, 1024). None disables EDE.
        fdr (dict, optional): Keyword arguments of
            :class:`FrequencyDomainReconstruction`. None disables FDR.
        fdr_on_student (bool): Filter the student side too. Defaults to
            False (the paper's text and Alg. 1: teacher only).
        hsm (dict, optional): Keyword arguments of
            :class:`HyperbolicSimilarityMask` (``c``, ``normalize``). None
            disables HSM.
        loss_feat (dict): Feature loss config (eq. 12, alpha).
        loss_head (dict, optional): Head loss config (eq. 13, beta). None
            disables the head term.
    """

    def __init__(
        self,
        ede: OptConfigType = None,
        fdr: OptConfigType = dict(
            type='FrequencyDomainReconstruction', low_freq_ratio=0.1),
        fdr_on_student: bool = False,
        hsm: OptConfigType = dict(
            type='HyperbolicSimilarityMask', c=1.0, normalize='max'),
        loss_feat: ConfigType = dict(type='IFKDFeatureLoss', loss_weight=0.06),
        loss_head: OptConfigType = dict(type='IFKDHeadLoss', loss_weight=0.5)
    ) -> None:
        super().__init__()
        if fdr_on_student and fdr is None:
            raise ConfigError('IFKDLoss: fdr_on_student=True needs fdr')
        self.fdr = self._build(fdr, 'FrequencyDomainReconstruction')
        self.fdr_on_student = fdr_on_student
        self.hsm = self._build(hsm, 'HyperbolicSimilarityMask')
        self.loss_feat = MODELS.build(loss_feat)
        self.loss_head = self._build(loss_head, 'IFKDHeadLoss')
        self.cache: Optional[FeatureCache] = None
        encoder = None
        if ede is not None:
            ede = dict(ede)
            unknown = sorted(set(ede) - set(_EDE_KEYS))
            if unknown:
                raise ConfigError(f'IFKDLoss: unknown ede keys {unknown}; '
                                  f'expected some of {list(_EDE_KEYS)}')
            cache_dir = ede.pop('cache_dir', None)
            try:
                encoder = MobileSAMEncoder(
                    checkpoint=ede.get('checkpoint'),
                    allow_random=ede.get('allow_random', False),
                    encoder=ede.get('encoder'),
                    img_size=ede.get('img_size', 1024))
            except ConfigError as err:
                raise ConfigError(f'IFKDLoss ede.checkpoint: {err} (EDE '
                                  'needs the official mobile_sam.pt; or set '
                                  'ede=None for IFKD without EDE)') from None
            if cache_dir is not None:
                self.cache = FeatureCache(cache_dir, encoder.fingerprint())
        # not a submodule: frozen, outside state_dict / parameters / DDP
        object.__setattr__(self, 'sam_encoder', encoder)

    @staticmethod
    def _build(cfg: OptConfigType, default_type: str) -> Optional[nn.Module]:
        if cfg is None:
            return None
        cfg = copy.deepcopy(dict(cfg))
        cfg.setdefault('type', default_type)
        return MODELS.build(cfg)

    def _apply(self, fn, *args, **kwargs):
        """Move/cast the MobileSAM encoder with the module."""
        encoder = self.__dict__.get('sam_encoder')
        if encoder is not None:
            encoder._apply(fn, *args, **kwargs)
        return super()._apply(fn, *args, **kwargs)

    # ---- EDE ---------------------------------------------------------------
    def sam_features(self, ctx) -> Tuple[Tensor, List[Tuple[int, int]]]:
        """MobileSAM embeddings of the batch's images (cache first).

        Each image is cropped to its ``img_shape`` (no batch padding),
        un-normalised to RGB 0-255 and encoded (or read from the cache under
        ``(img_path, flip direction, img_shape)``, the key of
        ``tools/misc/precompute_sam_features.py``).

        Args:
            ctx (DistillContext): ``batch_inputs``, ``data_samples``,
                ``data_preprocessor``.

        Returns:
            tuple: (B, 256, 64, 64) embeddings and the valid embedding size
            (h, w) of each image.
        """
        images = raw_rgb_images(ctx.batch_inputs,
                                getattr(ctx, 'data_preprocessor', None))
        feats, valid = [], []
        for i, sample in enumerate(ctx.data_samples):
            h, w = (int(v) for v in sample.metainfo['img_shape'][:2])
            image = images[i:i + 1, :, :h, :w].round().clamp(0, 255)
            flip = (
                sample.metainfo.get('flip_direction') if sample.metainfo.get(
                    'flip', False) else None)
            key = make_cache_key(
                sample.metainfo.get('img_path', ''), flip, (h, w))
            feats.append(
                self.sam_encoder.forward_cached(image, [key], self.cache))
            valid.append(self.sam_encoder.valid_size(h, w))
        return torch.cat(feats), valid

    def disturbed_teacher(self, ctx) -> List[Tensor]:
        """Eq. 1: the teacher maps plus ``sigmoid(F_sam)`` (or unchanged
        without EDE).

        Args:
            ctx (DistillContext): The batch.

        Returns:
            list[Tensor]: Per level (B, C, H_l, W_l), no gradient.
        """
        t_feats = [t.detach() for t in ctx.teacher_feats]
        if self.sam_encoder is None:
            return t_feats
        sam, valid = self.sam_features(ctx)
        if sam.shape[1] != t_feats[0].shape[1]:
            raise ValueError(
                f'IFKDLoss (EDE): MobileSAM gives {sam.shape[1]} channels, '
                f'the teacher FPN {t_feats[0].shape[1]}')
        pad_h, pad_w = ctx.data_samples[0].metainfo.get(
            'batch_input_shape', ctx.batch_inputs.shape[-2:])
        disturbance = external_disturbance(
            sam, valid,
            [s.metainfo['img_shape'][:2] for s in ctx.data_samples],
            (pad_h, pad_w), [tuple(t.shape[-2:]) for t in t_feats])
        return add_external_disturbance(t_feats, disturbance)

    # ---- the loss ---------------------------------------------------------
    def forward(self, ctx) -> Dict[str, Tensor]:
        """IFKD losses of one batch.

        Args:
            ctx (DistillContext): See
                :class:`~mmrsod.models.detectors.DistillationDetector`.

        Returns:
            dict[str, Tensor]: ``loss_ifkd_feat`` and (with a head loss)
            ``loss_ifkd_head``, scalars.
        """
        student = list(ctx.student_feats_adapted)
        teacher = self.disturbed_teacher(ctx)
        if len(student) != len(teacher):
            raise ValueError(f'IFKDLoss: {len(student)} student levels, '
                             f'{len(teacher)} teacher levels')
        if self.fdr is not None:
            masks = frs_richness_mask([c.detach() for c in ctx.teacher_cls])
            ratio = self.fdr.sample_ratio()
            teacher = self.fdr(teacher, masks, ratio)
            if self.fdr_on_student:
                student = self.fdr(student, masks, ratio)
        weights = None
        if self.hsm is not None:
            weights = self.hsm(student, teacher)
        losses = dict(loss_ifkd_feat=self.loss_feat(student, teacher, weights))
        if self.loss_head is not None:
            losses['loss_ifkd_head'] = self.loss_head(ctx.student_cls,
                                                      ctx.teacher_cls, weights)
        return losses

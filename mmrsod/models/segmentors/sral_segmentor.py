# Copyright (c) mmrsod contributors. All rights reserved.
"""Super-resolution assisted learning (SRAL) segmentor."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

from mmengine.config import ConfigDict
from mmengine.structures import PixelData
from mmseg.models.segmentors import EncoderDecoder
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from mmseg.utils import (ConfigType, OptConfigType, OptMultiConfig,
                         OptSampleList, SampleList, add_prefix)
from torch import Tensor

from ..utils import rgb_to_ycbcr, stack_gt_sem_seg, stack_gt_sr

__all__ = ['SRALSegmentor']


@MODELS.register_module()
class SRALSegmentor(EncoderDecoder):
    """Encoder-decoder saliency segmentor with an auxiliary SR task.

    Training (``loss``) runs the backbone (+ neck) once and the decode
    head's ``forward`` once; then

    * ``decode.*``: the decode head's ``loss_by_feat`` (saliency loss,
      e.g. TSDD deep supervision);
    * ``sr.*``: the SR head (:class:`ASRDHead`) on the shared features,
      MSE against ``gt_sr``;
    * ``tfgm.*``: :class:`TFGMLoss` on (the final decode logits resized to
      the HR label size, the SR head's ``sr_feat``, ``gt_sem_seg``,
      ``gt_sr``).

    Any mmseg decode head works: a head that returns a list of maps (such
    as :class:`TSDDHead`, ``[p1, ..., p5]``) must define ``final_logits``
    to say which one is the final map; single-tensor heads (``PSPHead``,
    ``DepthwiseSeparableASPPHead``, with ``out_channels=1``) are used
    as-is, their ``loss_by_feat`` resizing the logits to the HR label.
    The output/input size ratio is the decode head's ``out_scale`` (read
    from the head, like ``align_corners``); ``model.out_scale`` is only
    for heads without one (mmseg's).
    ``acc_seg`` (meaningless for a 1-channel sigmoid output) is dropped.

    Inference (``predict``) runs backbone, neck and decode head only: the
    final logits are resized to ``out_scale`` x the input size (448 for a
    224 input), the padding is removed, flips are undone and the map is
    resized to ``ori_shape``; ``seg_logits`` holds sigmoid probabilities
    (1, H, W) and ``pred_sem_seg`` ``(prob > threshold)`` as long. With
    ``test_cfg.with_sr=True`` the SR head also runs and ``pred_sr`` holds
    the clamped YCbCr [0, 1] SR image (3, 2h, 2w). :meth:`strip_auxiliary`
    drops every training-only module (SR head, TFGM, auxiliary heads).

    Args:
        backbone (dict): Backbone config.
        decode_head (dict): Saliency decode head config.
        neck (dict, optional): Neck config. Defaults to None.
        auxiliary_head (dict | list[dict], optional): mmseg auxiliary heads.
            Defaults to None.
        sr_head (dict, optional): SR head config (e.g. ``ASRDHead``).
            Defaults to None (no SR task).
        tfgm (dict, optional): ``TFGMLoss`` config; needs ``sr_head``.
            Defaults to None.
        out_scale (float, optional): Prediction size relative to the input
            image, for decode heads without an ``out_scale`` attribute
            (mmseg's ``PSPHead`` etc.); a head's own ``out_scale`` is used
            otherwise and setting both is an error. Defaults to None (2 for
            such heads).
        train_cfg (dict, optional): Training config. Defaults to None.
        test_cfg (dict, optional): ``dict(mode='whole', with_sr=False)``
            (only ``'whole'`` is supported); ``with_out_map=True`` also
            stores ``out_map``, the probability map at the network output
            size (see :meth:`_add_out_maps`). Defaults to None (that
            dict).
        data_preprocessor (dict, optional): Data preprocessor config; its
            mean/std undo the normalisation for the SR input residual.
        pretrained (str, optional): Backbone checkpoint. Defaults to None.
        init_cfg (dict | list[dict], optional): Init config.
    """

    def __init__(self,
                 backbone: ConfigType,
                 decode_head: ConfigType,
                 neck: OptConfigType = None,
                 auxiliary_head: OptConfigType = None,
                 sr_head: OptConfigType = None,
                 tfgm: OptConfigType = None,
                 out_scale: Optional[float] = None,
                 train_cfg: OptConfigType = None,
                 test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 pretrained: Optional[str] = None,
                 init_cfg: OptMultiConfig = None) -> None:
        test_cfg = ConfigDict(test_cfg or dict(mode='whole', with_sr=False))
        mode = test_cfg.get('mode', 'whole')
        if mode != 'whole':
            raise ValueError("SRALSegmentor supports test_cfg.mode='whole' "
                             f'only, got {mode!r}')
        super().__init__(
            backbone=backbone,
            decode_head=decode_head,
            neck=neck,
            auxiliary_head=auxiliary_head,
            train_cfg=train_cfg,
            test_cfg=test_cfg,
            data_preprocessor=data_preprocessor,
            pretrained=pretrained,
            init_cfg=init_cfg)
        head_scale = getattr(self.decode_head, 'out_scale', None)
        if head_scale is not None and out_scale is not None:
            raise ValueError(
                f'model.out_scale={out_scale} is set but the decode head '
                f'has its own out_scale={head_scale}; set '
                'model.decode_head.out_scale only')
        self.out_scale = float(head_scale or out_scale or 2.0)
        if sr_head is not None:
            # sr_feat feeds TFGM only: without TFGM the head must not build
            # its feature layer (no gradient there breaks DDP)
            sr_head = ConfigDict(sr_head)
            with_feat = sr_head.get('with_feat', tfgm is not None)
            if with_feat != (tfgm is not None):
                raise ValueError(
                    f'model.sr_head.with_feat={with_feat} but model.tfgm is '
                    f'{"set" if tfgm is not None else "None"}: leave '
                    'with_feat unset (it follows model.tfgm)')
            sr_head.with_feat = with_feat
        self.sr_head = MODELS.build(sr_head) if sr_head is not None else None
        self.tfgm = MODELS.build(tfgm) if tfgm is not None else None
        if self.tfgm is not None and self.sr_head is None:
            raise ValueError('model.tfgm needs model.sr_head (TFGM fuses the '
                             "SR head's `sr_feat` with the saliency map)")
        if test_cfg.get('with_sr', False) and self.sr_head is None:
            raise ValueError('model.test_cfg.with_sr=True needs '
                             'model.sr_head')

    @property
    def with_sr_head(self) -> bool:
        """bool: Whether the segmentor has an SR head."""
        return getattr(self, 'sr_head', None) is not None

    @property
    def with_tfgm(self) -> bool:
        """bool: Whether the segmentor has a TFGM loss."""
        return getattr(self, 'tfgm', None) is not None

    def final_logits(self, seg_logits: Union[Tensor,
                                             Sequence[Tensor]]) -> Tensor:
        """Select the final map from the decode head's ``forward`` output.

        Args:
            seg_logits (Tensor | list[Tensor]): Decode head output.

        Returns:
            Tensor: Final logits of shape (N, C, h, w).
        """
        select = getattr(self.decode_head, 'final_logits', None)
        if select is not None:
            return select(seg_logits)
        if isinstance(seg_logits, (list, tuple)):
            raise TypeError(
                f'{type(self.decode_head).__name__} returns '
                f'{len(seg_logits)} maps but defines no final_logits() '
                'to choose the final one')
        return seg_logits

    def lr_ycbcr(self, inputs: Tensor) -> Tensor:
        """Undo the input normalisation and convert to YCbCr in [0, 1].

        Assumes the contract's data preprocessor: BGR images converted to
        RGB (``bgr_to_rgb=True``; without channel conversion the input is
        taken as BGR) and normalised with ``mean``/``std`` on a 0-255
        scale.

        Args:
            inputs (Tensor): Network input of shape (N, 3, h, w).

        Returns:
            Tensor: LR image in YCbCr [0, 1], shape (N, 3, h, w).
        """
        dp = self.data_preprocessor
        x = inputs
        if getattr(dp, '_enable_normalize', False):
            x = x * dp.std.to(x) + dp.mean.to(x)
        if not getattr(dp, 'channel_conversion', False):
            x = x.flip(1)
        return rgb_to_ycbcr((x / 255.0).clamp(0, 1))

    def _sr_forward(self, x: Sequence[Tensor],
                    inputs: Tensor) -> Tuple[Tensor, Tensor]:
        """Run the SR head (with the LR input when it needs the residual).

        Args:
            x (Sequence[Tensor]): Encoder features.
            inputs (Tensor): Network input of shape (N, 3, h, w).

        Returns:
            tuple[Tensor, Tensor]: ``pred_sr`` and ``sr_feat``.
        """
        lr = self.lr_ycbcr(inputs) if self.sr_head.input_residual else None
        return self.sr_head(x, lr)

    def loss(self, inputs: Tensor, data_samples: SampleList) -> dict:
        """Compute the SOD, SR and TFGM losses.

        Args:
            inputs (Tensor): LR input images of shape (N, 3, h, w).
            data_samples (list[SegDataSample]): Samples with ``gt_sem_seg``
                (1, H, W) in [0, 1] and, with an SR head, ``gt_sr``
                (3, H, W) YCbCr [0, 1] at the HR size.

        Returns:
            dict[str, Tensor]: ``decode.*``, ``aux*.*``, ``sr.*`` and
            ``tfgm.*`` loss items.
        """
        x = self.extract_feat(inputs)
        seg_logits = self.decode_head(x)
        losses = dict()
        loss_decode = self.decode_head.loss_by_feat(seg_logits, data_samples)
        if self.out_channels == 1:
            loss_decode.pop('acc_seg', None)
        losses.update(add_prefix(loss_decode, 'decode'))
        if self.with_auxiliary_head:
            losses.update(self._auxiliary_head_forward_train(x, data_samples))
        if self.with_sr_head:
            pred_sr, sr_feat = self._sr_forward(x, inputs)
            losses.update(
                add_prefix(
                    self.sr_head.loss_by_feat(pred_sr, data_samples), 'sr'))
            if self.with_tfgm:
                losses.update(
                    add_prefix(
                        self._tfgm_loss(seg_logits, sr_feat, data_samples),
                        'tfgm'))
        return losses

    def _tfgm_loss(self, seg_logits: Union[Tensor,
                                           List[Tensor]], sr_feat: Tensor,
                   data_samples: SampleList) -> Dict[str, Tensor]:
        """TFGM on the final logits resized to the HR label size."""
        gt_sr = stack_gt_sr(data_samples).to(sr_feat)
        gt_mask = stack_gt_sem_seg(data_samples).to(sr_feat)
        hr_size = gt_sr.shape[2:]
        if gt_mask.shape[2:] != hr_size:
            raise ValueError(
                f'SRALSegmentor: gt_sem_seg size {tuple(gt_mask.shape[2:])} '
                f'differs from gt_sr size {tuple(hr_size)}; TFGM needs both '
                'at the HR size (check the training pipeline)')
        final = self.final_logits(seg_logits)
        if final.shape[2:] != hr_size:
            final = resize(
                final,
                size=hr_size,
                mode='bilinear',
                align_corners=self.align_corners,
                warning=False)
        sr_feat = self.sr_head.match_size(sr_feat, hr_size)
        return self.tfgm(final, sr_feat, gt_mask, gt_sr)

    def _predict_logits(self, x: Sequence[Tensor],
                        input_size: Sequence[int]) -> Tensor:
        """Final logits at ``out_scale`` x ``input_size``."""
        final = self.final_logits(self.decode_head(x))
        size = tuple(int(round(s * self.out_scale)) for s in input_size)
        if tuple(final.shape[2:]) != size:
            final = resize(
                final,
                size=size,
                mode='bilinear',
                align_corners=self.align_corners,
                warning=False)
        return final

    def encode_decode(self, inputs: Tensor,
                      batch_img_metas: List[dict]) -> Tensor:
        """Final logits at ``out_scale`` x the input size.

        Args:
            inputs (Tensor): Input images of shape (N, 3, h, w).
            batch_img_metas (list[dict]): Unused (kept for the API).

        Returns:
            Tensor: Logits of shape (N, C, out_scale*h, out_scale*w).
        """
        return self._predict_logits(
            self.extract_feat(inputs), inputs.shape[2:])

    def predict(self,
                inputs: Tensor,
                data_samples: OptSampleList = None) -> SampleList:
        """Predict saliency maps (and optionally SR images).

        Args:
            inputs (Tensor): Input images of shape (N, 3, h, w).
            data_samples (list[SegDataSample], optional): Samples with
                ``ori_shape`` (and optionally padding/flip) metainfo.

        Returns:
            list[SegDataSample]: With ``seg_logits`` (sigmoid probability
            (1, H, W) at ``ori_shape``), ``pred_sem_seg`` (long) and, with
            ``test_cfg.with_sr``, ``pred_sr`` (3, 2h, 2w) in [0, 1].
        """
        x = self.extract_feat(inputs)
        seg_logits = self._predict_logits(x, inputs.shape[2:])
        results = self.postprocess_result(seg_logits, data_samples)
        if self.test_cfg.get('with_out_map', False):
            self._add_out_maps(seg_logits, results)
        if self.test_cfg.get('with_sr', False):
            if not self.with_sr_head:
                raise ValueError(
                    'test_cfg.with_sr=True but the model has no sr_head '
                    '(it was removed by strip_auxiliary() or never built)')
            pred_sr, _ = self._sr_forward(x, inputs)
            pred_sr = pred_sr.clamp(0, 1)
            for i, sample in enumerate(results):
                sample.set_data({'pred_sr': PixelData(data=pred_sr[i])})
        return results

    def _add_out_maps(self, seg_logits: Tensor, results: SampleList) -> None:
        """Store the map at the network's output size as ``out_map``.

        ``out_map`` is the sigmoid of the final logits at ``out_scale`` x
        the input size (448 for a 224 input) with the padding removed and
        **not** resized to ``ori_shape``: the map the SRAL authors save
        (``getsmaps.py``). Enabled by ``test_cfg.with_out_map=True``.

        Args:
            seg_logits (Tensor): Logits of shape (N, 1, H, W).
            results (list[SegDataSample]): Samples to fill.
        """
        height, width = seg_logits.shape[2:]
        for i, sample in enumerate(results):
            meta = sample.metainfo
            if meta.get('flip', False):
                raise ValueError('test_cfg.with_out_map does not support '
                                 'test-time flips')
            padding = meta.get('img_padding_size',
                               meta.get('padding_size', [0] * 4))
            left, right, top, bottom = (
                int(round(p * self.out_scale)) for p in padding)
            prob = seg_logits[i, :, top:height - bottom,
                              left:width - right].sigmoid()
            sample.set_data({'out_map': PixelData(data=prob)})

    def postprocess_result(self,
                           seg_logits: Tensor,
                           data_samples: OptSampleList = None) -> SampleList:
        """Undo padding/flip/rotation, resize to ``ori_shape``, sigmoid.

        Extends :meth:`EncoderDecoder.postprocess_result`, which removes
        the padding, resizes to ``ori_shape`` and applies the sigmoid and
        ``decode_head.threshold`` (``out_channels=1``): the padding in the
        metainfo (input pixels) is scaled by ``out_scale`` for it, and the
        flips (``flip_direction`` ``'horizontal'``, ``'vertical'`` or
        ``'diagonal'``, as written by mmcv's ``RandomFlip`` and
        :class:`RandomFlipRotate`) and right-angle ``rotate`` of a test-time
        augmentation are undone here, after the resize (bilinear resizing
        commutes with them). ``pred_sem_seg`` is returned as long.

        Args:
            seg_logits (Tensor): Logits at ``out_scale`` x the input size,
                shape (N, C, H, W).
            data_samples (list[SegDataSample], optional): Samples to fill.

        Returns:
            list[SegDataSample]: Samples with ``seg_logits`` (probabilities
            for C == 1, raw logits otherwise) and ``pred_sem_seg`` (long).
        """
        saved, undo = [], []
        for i, sample in enumerate(data_samples or []):
            meta = sample.metainfo
            flips, turns = _augmentation_of(meta, i)
            ori_shape = tuple(meta['ori_shape'][:2])
            override = dict(
                flip=False,
                ori_shape=ori_shape[::-1] if turns % 2 else ori_shape)
            pad_key = ('img_padding_size'
                       if 'img_padding_size' in meta else 'padding_size')
            if pad_key in meta:
                override[pad_key] = [
                    int(round(p * self.out_scale)) for p in meta[pad_key]
                ]
            saved.append({k: meta[k] for k in override if k in meta})
            undo.append((flips, turns))
            sample.set_metainfo(override)
        try:
            results = super().postprocess_result(seg_logits, data_samples)
        finally:
            for sample, original in zip(data_samples or [], saved):
                sample.set_metainfo(original)
        for i, sample in enumerate(results):
            flips, turns = undo[i] if undo else ((), 0)
            maps = dict(
                seg_logits=sample.seg_logits.data,
                pred_sem_seg=sample.pred_sem_seg.data.long())
            for field, data in maps.items():
                if turns:
                    data = data.rot90(-turns, dims=(1, 2))
                if flips:
                    data = data.flip(dims=flips)
                sample.set_data({field: PixelData(data=data)})
        return results

    def strip_auxiliary(self) -> 'SRALSegmentor':
        """Remove the training-only modules in place.

        Drops ``sr_head``, ``tfgm`` and mmseg ``auxiliary_head`` (and turns
        ``test_cfg.with_sr`` off), so the parameter count and FLOPs are
        those of the saliency network alone, as deployed in the paper.

        Returns:
            SRALSegmentor: ``self``.
        """
        self.sr_head = None
        self.tfgm = None
        if getattr(self, 'auxiliary_head', None) is not None:
            self.auxiliary_head = None
        self.test_cfg['with_sr'] = False
        return self


# flip dims of a (C, H, W) map for each mmcv ``flip_direction``
_FLIP_DIMS = dict(horizontal=(2, ), vertical=(1, ), diagonal=(1, 2))


def _augmentation_of(meta: dict, index: int) -> Tuple[Tuple[int, ...], int]:
    """Flip dims and counter-clockwise quarter turns of a test sample.

    A right-angle rotation is undone exactly, except a ``'canvas'``
    rotation (``rotate_mode``, the SRAL authors' size-keeping rotation) by
    90 or 270 degrees of a non-square image, which cut the image: that is
    an error.

    Args:
        meta (dict): The sample's metainfo (``flip``, ``flip_direction``,
            ``rotate`` in degrees, applied after the flip, ``rotate_mode``,
            ``ori_shape``).
        index (int): Sample index, for the error message.

    Returns:
        tuple[tuple[int], int]: Dims to flip of a (C, H, W) map, and the
        number of quarter turns.
    """
    flips: Tuple[int, ...] = ()
    if meta.get('flip', False):
        direction = meta.get('flip_direction', None)
        if direction not in _FLIP_DIMS:
            raise ValueError(
                f'unsupported flip_direction {direction!r} in the metainfo '
                f'of sample {index} (expected one of {sorted(_FLIP_DIMS)})')
        flips = _FLIP_DIMS[direction]
    angle = int(meta.get('rotate', 0) or 0)
    if angle % 90:
        raise ValueError(f'rotate={angle} in the metainfo of sample {index}'
                         ' cannot be undone (multiples of 90 only)')
    turns = (angle // 90) % 4
    height, width = meta['ori_shape'][:2]
    if (turns % 2 and height != width
            and meta.get('rotate_mode', 'exact') == 'canvas'):
        raise ValueError(
            f'rotate={angle} with rotate_mode=canvas on the non-square '
            f'sample {index} ({height}x{width}) cut the image and cannot be '
            "undone; use RandomFlipRotate(rotate_mode='exact') at test time")
    return flips, turns

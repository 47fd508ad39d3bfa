# Copyright (c) mmrsod contributors. All rights reserved.
"""``DetDataPreprocessor`` that also prepares the SR target ``gt_sr``."""
from typing import Optional

import torch.nn.functional as F
from mmdet.models.data_preprocessors import DetDataPreprocessor
from mmdet.registry import MODELS
from mmengine.structures import PixelData

__all__ = ['DetSRDataPreprocessor']


@MODELS.register_module()
class DetSRDataPreprocessor(DetDataPreprocessor):
    """:class:`DetDataPreprocessor` plus a float SR target per sample.

    mmdet's ``DetDataPreprocessor`` moves ``gt_sr`` (packed by
    :class:`mmrsod.datasets.transforms.PackDetSRInputs` as a (3, H, W)
    ``uint8`` tensor) to the device and does nothing else with it. After
    the parent's work (normalisation, ``bgr_to_rgb``, batch padding of the
    inputs, batch augments), this class replaces every ``gt_sr.data`` by

    * ``float32`` in [0, 1] (divided by 255, **not** mean/std-normalised:
      SR losses and PSNR are computed on [0, 1] images);
    * in the channel order of the network input (flipped with
      ``bgr_to_rgb``/``rgb_to_bgr`` exactly as the image is);
    * zero-padded right/bottom to ``sr_scale`` times the padded input
      size (``batch_input_shape``), so that an SR head's output for the
      padded LR batch and ``torch.stack([s.gt_sr.data for s in
      data_samples])`` (B, 3, sr_scale * h_in, sr_scale * w_in) have the
      same shape. With fixed-size tiles nothing is padded.

    ``sr_scale`` = HR size / LR ``img_shape`` (an integer, the same for
    all samples of the batch) is added to each sample's metainfo. Samples
    without ``gt_sr`` (test time) pass through as in the parent class.

    Args:
        *args: Arguments of :class:`DetDataPreprocessor`.
        **kwargs: Keyword arguments of :class:`DetDataPreprocessor`.
    """

    def forward(self, data: dict, training: bool = False) -> dict:
        """Preprocess the batch and the SR targets.

        Args:
            data (dict): ``inputs`` and ``data_samples`` from the loader.
            training (bool): Whether this is a training step.

        Returns:
            dict: As :meth:`DetDataPreprocessor.forward`, with each
            ``data_samples[i].gt_sr.data`` a float (3, H', W') tensor.
        """
        data = super().forward(data=data, training=training)
        samples = data.get('data_samples')
        if not samples or not any('gt_sr' in s for s in samples):
            return data
        missing = [i for i, s in enumerate(samples) if 'gt_sr' not in s]
        if missing:
            raise ValueError(
                f'DetSRDataPreprocessor: samples {missing} of the batch have '
                'no gt_sr while others have; use DownsampleToLR(keep_hr=True)'
                ' for every sample of the pipeline')
        in_h, in_w = data['inputs'].shape[-2:]
        scale: Optional[int] = None
        for sample in samples:
            hr = sample.gt_sr.data
            lr_h, lr_w = sample.img_shape
            if hr.shape[-2] % lr_h or hr.shape[-1] % lr_w or (
                    hr.shape[-2] // lr_h != hr.shape[-1] // lr_w):
                raise ValueError(
                    f'DetSRDataPreprocessor: gt_sr {tuple(hr.shape[-2:])} of '
                    f'{sample.metainfo.get("img_path")} is not an integer '
                    f'multiple of its img_shape {(lr_h, lr_w)}')
            this_scale = hr.shape[-2] // lr_h
            if scale is not None and this_scale != scale:
                raise ValueError('DetSRDataPreprocessor: one batch mixes SR '
                                 f'scales {scale} and {this_scale}')
            scale = this_scale
            target = hr.float() / 255.0
            if self._channel_conversion and target.shape[0] == 3:
                target = target[[2, 1, 0], ...]
            pad_h = in_h * scale - target.shape[-2]
            pad_w = in_w * scale - target.shape[-1]
            if pad_h or pad_w:
                target = F.pad(target, (0, pad_w, 0, pad_h), value=0.0)
            sample.gt_sr = PixelData(data=target)
            sample.set_metainfo(dict(sr_scale=scale))
        return data

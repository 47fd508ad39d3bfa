# Copyright (c) mmrsod contributors. All rights reserved.
"""``PackDetInputs`` that also carries the HR image ``gt_sr``."""
import numpy as np
from mmcv.transforms import to_tensor
from mmdet.datasets.transforms import PackDetInputs
from mmdet.registry import TRANSFORMS
from mmengine.structures import PixelData

__all__ = ['PackDetSRInputs']


@TRANSFORMS.register_module()
class PackDetSRInputs(PackDetInputs):
    """Pack detection inputs as :class:`PackDetInputs`, plus ``gt_sr``.

    When the results hold ``gt_sr`` (the HR image kept by
    :class:`DownsampleToLR`), the data sample gets
    ``gt_sr = PixelData(data=<(3, H, W) uint8 tensor>)`` in the channel
    order of ``img`` (BGR after ``LoadImageFromFile``). mmdet's
    ``DetDataPreprocessor`` moves it to the device with the sample and
    leaves it otherwise untouched (no normalisation, no batch padding);
    :class:`mmrsod.models.DetSRDataPreprocessor` turns it into the float
    [0, 1] target of an SR loss. Without ``gt_sr`` (test pipelines) this
    is exactly ``PackDetInputs``.

    Raises:
        ValueError: if a flip changed the input after ``DownsampleToLR``
            kept ``gt_sr`` (the SR target would be mirrored with respect to
            the input), or a transform after ``DownsampleToLR`` changed
            ``scale_factor`` (mmdet's ``Resize`` overwrites it); put
            ``RandomFlip`` and ``Resize`` before ``DownsampleToLR``.
    """

    def transform(self, results: dict) -> dict:
        """Pack ``results``; see :meth:`PackDetInputs.transform`.

        Args:
            results (dict): Result dict from the data pipeline.

        Returns:
            dict: ``inputs`` (C, h, w) tensor and ``data_samples``
            (``DetDataSample``, with ``gt_sr`` when present).
        """
        expected = results.get('lr_scale_factor')
        if expected is not None and tuple(results.get('scale_factor',
                                                      ())) != tuple(expected):
            raise ValueError(
                f'PackDetSRInputs: scale_factor of {results.get("img_path")} '
                f'changed from {tuple(expected)} (set by DownsampleToLR) to '
                f'{results.get("scale_factor")}: a Resize after '
                'DownsampleToLR overwrites it and predictions would not map '
                'back to the HR frame; resize before DownsampleToLR')
        packed = super().transform(results)
        if 'gt_sr' not in results:
            return packed
        flip_now = (bool(results.get('flip',
                                     False)), results.get('flip_direction'))
        if results.get('gt_sr_flip', flip_now) != flip_now:
            raise ValueError(
                f'PackDetSRInputs: {results.get("img_path")} was flipped '
                '(flip, flip_direction = '
                f'{flip_now}) after DownsampleToLR kept gt_sr; put '
                'RandomFlip before DownsampleToLR so that the HR target '
                'is flipped too')
        hr = results['gt_sr']
        if hr.ndim == 2:
            hr = hr[..., None]
        hr = to_tensor(np.ascontiguousarray(hr.transpose(2, 0, 1)))
        packed['data_samples'].gt_sr = PixelData(data=hr)
        return packed

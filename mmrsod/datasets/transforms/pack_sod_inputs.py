# Copyright (c) mmrsod contributors. All rights reserved.
from typing import Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmengine.structures import PixelData
from mmseg.registry import TRANSFORMS
from mmseg.structures import SegDataSample

__all__ = ['PackSODInputs']


@TRANSFORMS.register_module()
class PackSODInputs(BaseTransform):
    """Pack an SOD sample into ``dict(inputs, data_samples)``.

    - ``inputs``: ``torch.uint8`` tensor (3, h, w), BGR (as loaded by
      ``LoadImageFromFile``; the data preprocessor converts to RGB).
    - ``data_samples.gt_sem_seg``: ``PixelData(data=float32 (1, H, W))``
      with values in [0, 1] (hard 0/1 or soft), from ``gt_seg_map``.
    - ``data_samples.gt_sr``: ``PixelData(data=float32 (3, H_hr, W_hr))``,
      YCbCr in [0, 1], from ``gt_sr`` when present.
    - metainfo: the ``meta_keys`` present in ``results``.

    Args:
        meta_keys (Sequence[str]): Keys copied into the metainfo.
            Defaults to ``('img_path', 'seg_map_path', 'ori_shape',
            'img_shape', 'hr_shape', 'pad_shape', 'scale_factor', 'flip',
            'flip_direction', 'rotate', 'rotate_mode',
            'reduce_zero_label')``.
    """

    def __init__(
        self,
        meta_keys: Sequence[str] = ('img_path', 'seg_map_path', 'ori_shape',
                                    'img_shape', 'hr_shape', 'pad_shape',
                                    'scale_factor', 'flip', 'flip_direction',
                                    'rotate', 'rotate_mode',
                                    'reduce_zero_label')
    ) -> None:
        self.meta_keys = tuple(meta_keys)

    @staticmethod
    def _to_chw(array: np.ndarray, dtype: torch.dtype) -> torch.Tensor:
        if array.ndim == 2:
            array = array[..., None]
        return torch.from_numpy(
            np.ascontiguousarray(array.transpose(2, 0, 1))).to(dtype)

    def transform(self, results: dict) -> dict:
        """Pack the results.

        Args:
            results (dict): Result dict from the pipeline.

        Returns:
            dict: ``inputs`` (Tensor) and ``data_samples``
            (:obj:`SegDataSample`).
        """
        packed = dict()
        if 'img' in results:
            img = results['img']
            if img.dtype != np.uint8:
                raise TypeError('PackSODInputs: expected a uint8 image, got '
                                f'{img.dtype} for {results.get("img_path")}')
            packed['inputs'] = self._to_chw(img, torch.uint8)

        data_sample = SegDataSample()
        if 'gt_seg_map' in results:
            gt = results['gt_seg_map']
            if gt.ndim != 2:
                raise ValueError(
                    'PackSODInputs: gt_seg_map must be (H, W), got '
                    f'{gt.shape} for {results.get("seg_map_path")}')
            data_sample.gt_sem_seg = PixelData(
                data=self._to_chw(gt.astype(np.float32), torch.float32))
        if 'gt_sr' in results:
            data_sample.gt_sr = PixelData(
                data=self._to_chw(results['gt_sr'], torch.float32))

        img_meta = {
            key: results[key]
            for key in self.meta_keys if key in results
        }
        data_sample.set_metainfo(img_meta)
        packed['data_samples'] = data_sample
        return packed

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(meta_keys={self.meta_keys})'

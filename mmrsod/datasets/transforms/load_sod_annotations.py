# Copyright (c) mmrsod contributors. All rights reserved.
import io
from typing import Optional

import mmengine.fileio as fileio
import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS
from PIL import Image

from mmrsod.utils.errors import SODDataError

__all__ = ['LoadSODAnnotations', 'decode_sod_mask']


def decode_sod_mask(content: bytes, path: str = '<bytes>') -> np.ndarray:
    """Decode a saliency mask file into one gray channel.

    Gray (``L``), bilevel (``1``), palette (``P``), RGB, RGBA/LA and 16-bit
    files are accepted. Colour masks are converted with the ITU-R 601-2 luma
    transform of PIL (``L = 0.299 R + 0.587 G + 0.114 B``); masks with an
    alpha channel are first composited onto black, so a mask stored only in
    the alpha channel and an opaque colour mask both work. 16-bit masks are
    scaled to 0-255.

    Args:
        content (bytes): Encoded file content (PNG, BMP, JPEG, ...).
        path (str): File name used in error messages.

    Returns:
        np.ndarray: ``uint8`` array of shape (H, W) with values 0-255.

    Raises:
        SODDataError: If the file cannot be decoded.
    """
    try:
        with Image.open(io.BytesIO(content)) as img:
            img.load()
            mode = img.mode
            if mode in ('RGBA', 'LA',
                        'PA') or (mode == 'P' and 'transparency' in img.info):
                rgba = np.asarray(img.convert('RGBA'), dtype=np.float32)
                luma = (rgba[..., 0] * 0.299 + rgba[..., 1] * 0.587 +
                        rgba[..., 2] * 0.114) * (
                            rgba[..., 3] / 255.0)
                return np.clip(np.rint(luma), 0, 255).astype(np.uint8)
            if mode in ('I;16', 'I;16B', 'I;16L', 'I', 'F'):
                arr = np.asarray(img, dtype=np.float64)
                if arr.max(initial=0) > 255:
                    arr = arr / 257.0
                return np.clip(np.rint(arr), 0, 255).astype(np.uint8)
            if mode != 'L':
                img = img.convert('L')
            return np.array(img, dtype=np.uint8)
    except SODDataError:
        raise
    except Exception as exc:  # PIL raises OSError, ValueError, ...
        raise SODDataError(
            f'cannot decode mask {path}: {exc.__class__.__name__}: {exc}'
        ) from exc


@TRANSFORMS.register_module()
class LoadSODAnnotations(BaseTransform):
    """Load a binary saliency mask as ``gt_seg_map`` (uint8, 0/1).

    The mask is read as one channel (see :func:`decode_sod_mask`) and
    thresholded: ``value >= threshold`` is salient (1), the rest 0.

    Required Keys:

    - seg_map_path (str)
    - ori_shape (tuple, optional): checked against the mask size.

    Added Keys:

    - gt_seg_map (np.uint8, shape (H, W), values {0, 1})
    - seg_fields (list): ``'gt_seg_map'`` is appended.

    In test pipelines, place this transform *after* any resize so that the
    ground truth keeps its original resolution.

    Args:
        threshold (int): Gray value at and above which a pixel is salient.
            Defaults to 128.
        check_size (bool): Raise if the mask size differs from
            ``results['ori_shape']`` (the original image size).
            Defaults to True.
        backend_args (dict, optional): Arguments of the mmengine file
            backend. Defaults to None.
    """

    def __init__(self,
                 threshold: int = 128,
                 check_size: bool = True,
                 backend_args: Optional[dict] = None) -> None:
        if not 0 < threshold <= 255:
            raise ValueError(
                f'LoadSODAnnotations: threshold must be in [1, 255], got '
                f'{threshold}')
        self.threshold = threshold
        self.check_size = check_size
        self.backend_args = backend_args.copy() if backend_args else None

    def transform(self, results: dict) -> dict:
        """Load and binarise the mask.

        Args:
            results (dict): Result dict with ``seg_map_path``.

        Returns:
            dict: ``results`` with ``gt_seg_map`` and ``seg_fields``.
        """
        path = results.get('seg_map_path')
        if not path:
            raise SODDataError(
                'LoadSODAnnotations: results has no seg_map_path (image '
                f'{results.get("img_path")})')
        try:
            content = fileio.get(path, backend_args=self.backend_args)
        except Exception as exc:
            raise SODDataError(f'LoadSODAnnotations: cannot read mask {path}: '
                               f'{exc.__class__.__name__}: {exc}') from exc
        gray = decode_sod_mask(content, path)
        if self.threshold > 1 and gray.size and gray.max() == 1:
            raise SODDataError(
                f'LoadSODAnnotations: mask {path} only holds the values '
                '0/1; it looks 0/1-encoded instead of 0/255, set '
                'threshold=1')
        ori_shape = results.get('ori_shape')
        if (self.check_size and ori_shape is not None
                and tuple(ori_shape[:2]) != gray.shape):
            raise SODDataError(
                f'LoadSODAnnotations: mask {path} is {gray.shape[0]}x'
                f'{gray.shape[1]} (HxW) but image '
                f'{results.get("img_path")} is {ori_shape[0]}x'
                f'{ori_shape[1]}')
        results['gt_seg_map'] = (gray >= self.threshold).astype(np.uint8)
        seg_fields = results.setdefault('seg_fields', [])
        if 'gt_seg_map' not in seg_fields:
            seg_fields.append('gt_seg_map')
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(threshold={self.threshold}, '
                f'check_size={self.check_size}, '
                f'backend_args={self.backend_args})')

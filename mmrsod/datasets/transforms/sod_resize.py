# Copyright (c) mmrsod contributors. All rights reserved.
from typing import Sequence, Tuple, Union

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS
from PIL import Image

__all__ = ['SODResize', 'resize_array']

_CV2_INTERP = dict(
    nearest=cv2.INTER_NEAREST,
    bilinear=cv2.INTER_LINEAR,
    bicubic=cv2.INTER_CUBIC,
    area=cv2.INTER_AREA)
_PIL_INTERP = dict(
    nearest=Image.Resampling.NEAREST,
    bilinear=Image.Resampling.BILINEAR,
    bicubic=Image.Resampling.BICUBIC,
    area=Image.Resampling.BOX)


def resize_array(array: np.ndarray,
                 size_hw: Tuple[int, int],
                 interpolation: str = 'bilinear',
                 backend: str = 'pillow') -> np.ndarray:
    """Resize an (H, W) or (H, W, C) ``uint8``/``float32`` array.

    Args:
        array (np.ndarray): Input array.
        size_hw (tuple[int, int]): Output (height, width).
        interpolation (str): ``'nearest'``, ``'bilinear'``, ``'bicubic'`` or
            ``'area'``.
        backend (str): ``'pillow'`` (anti-aliased when shrinking, as
            torchvision's ``Resize`` on PIL images) or ``'cv2'``.

    Returns:
        np.ndarray: Resized array with the input dtype (``uint8`` results are
        rounded and clipped).
    """
    h, w = int(size_hw[0]), int(size_hw[1])
    if array.shape[:2] == (h, w):
        return array.copy()
    if backend == 'cv2':
        out = cv2.resize(
            array, (w, h), interpolation=_CV2_INTERP[interpolation])
        if array.ndim == 3 and out.ndim == 2:
            out = out[..., None]
        return out
    if backend != 'pillow':
        raise ValueError(f'unknown resize backend {backend!r}; expected '
                         "'pillow' or 'cv2'")
    resample = _PIL_INTERP[interpolation]
    if array.dtype == np.uint8 and (array.ndim == 2
                                    or array.shape[2] in (1, 3)):
        squeeze = array.ndim == 3 and array.shape[2] == 1
        img = Image.fromarray(array[..., 0] if squeeze else array)
        out = np.asarray(img.resize((w, h), resample))
        return out[..., None] if squeeze else out
    # Float or other channel counts (PIL would treat 4 channels as RGBA and
    # premultiply alpha): resize each channel as a 32-bit float image.
    arr = array.astype(np.float32, copy=False)
    chans = arr[..., None] if arr.ndim == 2 else arr
    out = np.stack([
        np.asarray(Image.fromarray(chans[..., c]).resize((w, h), resample))
        for c in range(chans.shape[2])
    ],
                   axis=-1)
    out = out[..., 0] if arr.ndim == 2 else out
    if array.dtype == np.uint8:
        return np.clip(np.rint(out), 0, 255).astype(np.uint8)
    return out.astype(array.dtype, copy=False)


@TRANSFORMS.register_module()
class SODResize(BaseTransform):
    """Resize the image and all seg fields to a fixed (HR) size.

    The image is resized with ``interpolation`` (bilinear by default). Masks
    in ``seg_fields`` (uint8 0/1) are resized bilinearly as 0/255 images
    and then either kept as the soft float mask in [0, 1]
    (``soft_label=True``, what the SRAL authors train with: the label is
    ``ToTensor(Resize(448, BILINEAR)(mask))``) or binarised at 0.5
    (``soft_label=False``, the default), which is the hard mask that agrees
    with the soft one.

    In test pipelines put it *before* ``LoadSODAnnotations`` so that the
    ground truth stays at its original resolution.

    Required Keys:

    - img
    - seg_fields (optional) and the arrays they name

    Modified Keys:

    - img, img_shape, and every field in seg_fields (``gt_seg_map`` becomes
      ``float32`` in [0, 1] when ``soft_label=True``).

    Added Keys:

    - scale_factor (tuple[float, float]): (w_scale, h_scale)
    - img_original (np.ndarray): the image before the resize, with
      ``keep_original=True`` (for ``GenerateLRInput(source='original')``).

    ``canvas_fill_mask`` (from a canvas rotation before the resize) is
    resized bilinearly to a float map in [0, 1], as the authors' resize
    mixes the fill into the border pixels.

    Args:
        scale (int | tuple[int, int]): Output size, ``(h, w)`` or one int
            for a square. Defaults to 448.
        soft_label (bool): Keep the bilinear-resized float mask. Defaults to
            False.
        interpolation (str): Image interpolation. Defaults to
            ``'bilinear'``.
        backend (str): ``'pillow'`` (default; anti-aliased when shrinking,
            as the authors' torchvision/PIL pipeline) or ``'cv2'``.
        keep_original (bool): Keep the input image as ``img_original`` so
            that the LR input can be resized from it (the authors' code).
            Defaults to False.
    """

    def __init__(self,
                 scale: Union[int, Sequence[int]] = 448,
                 soft_label: bool = False,
                 interpolation: str = 'bilinear',
                 backend: str = 'pillow',
                 keep_original: bool = False) -> None:
        if isinstance(scale, int):
            scale = (scale, scale)
        if len(scale) != 2 or min(scale) <= 0:
            raise ValueError(
                f'SODResize: scale must be an int or (h, w), got {scale}')
        if interpolation not in _CV2_INTERP:
            raise ValueError(
                f'SODResize: unknown interpolation {interpolation!r}; '
                f'expected one of {sorted(_CV2_INTERP)}')
        if backend not in ('pillow', 'cv2'):
            raise ValueError(f'SODResize: unknown backend {backend!r}; '
                             "expected 'pillow' or 'cv2'")
        self.scale = (int(scale[0]), int(scale[1]))
        self.soft_label = soft_label
        self.interpolation = interpolation
        self.backend = backend
        self.keep_original = keep_original

    def _resize_mask(self, mask: np.ndarray) -> np.ndarray:
        if mask.dtype == np.uint8 and mask.max(initial=0) <= 1:
            mask255 = mask * np.uint8(255)
        else:
            mask255 = np.clip(np.asarray(mask, np.float32) * 255.0, 0,
                              255).round().astype(np.uint8)
        soft = resize_array(mask255, self.scale, 'bilinear',
                            self.backend).astype(np.float32) / 255.0
        if self.soft_label:
            return soft
        return (soft >= 0.5).astype(np.uint8)

    def transform(self, results: dict) -> dict:
        """Resize ``img`` and seg fields.

        Args:
            results (dict): Result dict.

        Returns:
            dict: The resized results.
        """
        img = results['img']
        h, w = img.shape[:2]
        if self.keep_original:
            results['img_original'] = img
        results['img'] = resize_array(img, self.scale, self.interpolation,
                                      self.backend)
        if 'canvas_fill_mask' in results:
            fill = results['canvas_fill_mask'] * np.uint8(255)
            results['canvas_fill_mask'] = resize_array(
                fill, self.scale, 'bilinear', self.backend).astype(
                    np.float32) / 255.0
        results['img_shape'] = self.scale
        results['scale_factor'] = (self.scale[1] / w, self.scale[0] / h)
        for key in results.get('seg_fields', []):
            results[key] = self._resize_mask(results[key])
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(scale={self.scale}, '
                f'soft_label={self.soft_label}, '
                f"interpolation='{self.interpolation}', "
                f"backend='{self.backend}', "
                f'keep_original={self.keep_original})')

# Copyright (c) mmrsod contributors. All rights reserved.
import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS

from mmrsod.utils.color_space import (BT601_RGB_TO_YCBCR,
                                      BT601_YCBCR_OFFSET_8BIT)
from .sod_resize import resize_array

__all__ = ['GenerateLRInput', 'bgr_to_ycbcr']

# ITU-R BT.601 full range (JPEG / JFIF), as PIL ``convert('YCbCr')``.
_YCBCR_FROM_RGB = np.array(BT601_RGB_TO_YCBCR, dtype=np.float64)
_YCBCR_OFFSET = np.array(BT601_YCBCR_OFFSET_8BIT, dtype=np.float64)


def bgr_to_ycbcr(img: np.ndarray) -> np.ndarray:
    """Convert a BGR ``uint8`` image to YCbCr in [0, 1].

    Own implementation of ITU-R BT.601 full range (JPEG convention, the
    transform PIL's ``Image.convert('YCbCr')`` uses):
    ``Y = 0.299 R + 0.587 G + 0.114 B``,
    ``Cb = 128 - 0.168736 R - 0.331264 G + 0.5 B``,
    ``Cr = 128 + 0.5 R - 0.418688 G - 0.081312 B``, computed in floating
    point (PIL rounds to ``uint8``, so the two agree within 1/255), clipped
    to [0, 255] and divided by 255.

    Args:
        img (np.ndarray): (H, W, 3) ``uint8`` image in BGR order.

    Returns:
        np.ndarray: (H, W, 3) ``float32`` array, channels Y, Cb, Cr.
    """
    if img.ndim != 3 or img.shape[2] != 3:
        raise ValueError(
            f'bgr_to_ycbcr expects an (H, W, 3) image, got {img.shape}')
    rgb = img[..., ::-1].astype(np.float64)
    ycc = rgb @ _YCBCR_FROM_RGB.T + _YCBCR_OFFSET
    return (np.clip(ycc, 0.0, 255.0) / 255.0).astype(np.float32)


@TRANSFORMS.register_module()
class GenerateLRInput(BaseTransform):
    """Make the low-resolution network input from the (augmented) image.

    Run it after ``SODResize`` (and after ``RandomFlipRotate`` wherever that
    is): the current ``img`` is the HR image (e.g. 448x448). The LR input
    of size ``scale_factor`` x the HR size (default 0.5, giving 224x224) is
    made with ``interpolation`` from

    * ``source='hr'`` (default): the HR image (a 2x SR degradation);
    * ``source='original'``: the image before ``SODResize`` (at its own
      resolution, after any flip/rotation placed before the resize), which
      ``SODResize(keep_original=True)`` keeps as ``img_original``. This is
      what the SRAL authors do: ``interpolation='bilinear',
      backend='pillow'`` (PIL bilinear, anti-aliased) from the original.

    The LR image becomes the new ``img``; with ``make_sr_target=True`` the
    HR image is kept as the super-resolution target ``gt_sr`` in YCbCr (see
    :func:`bgr_to_ycbcr`). Input, mask and SR target stay aligned.

    The default degradation is bicubic with OpenCV (``cv2.INTER_CUBIC``,
    clipped to 0-255), which has **no anti-aliasing**: shrinking by 2 it
    interpolates the 4x4 neighbourhood of each output pixel without
    widening the kernel (``backend='pillow'`` widens it).

    With a canvas rotation before the resize (``RandomFlipRotate
    (rotate_mode='canvas')``, which leaves ``canvas_fill_mask``), the
    chroma of ``gt_sr`` is set as the authors' SR target has it there:
    they rotate the YCbCr image with fill 0, so the filled pixels are
    Y = Cb = Cr = 0 instead of the YCbCr of black (Cb = Cr = 128/255).

    Required Keys: img

    Modified Keys: img, img_shape, scale_factor (if present)

    Added Keys:

    - hr_shape (tuple[int, int]): shape of the HR image.
    - gt_sr (np.float32, (H_hr, W_hr, 3), YCbCr in [0, 1]) when
      ``make_sr_target=True``.

    Removed Keys: img_original, canvas_fill_mask.

    Args:
        scale_factor (float): LR size / HR size. Defaults to 0.5.
        interpolation (str): ``'bicubic'`` (default), ``'bilinear'`` or
            ``'area'``.
        backend (str): ``'cv2'`` (default) or ``'pillow'`` (anti-aliased).
        make_sr_target (bool): Store the HR image as ``gt_sr``. Defaults
            to True.
        source (str): ``'hr'`` or ``'original'``, see above. Defaults to
            ``'hr'``.
    """

    def __init__(self,
                 scale_factor: float = 0.5,
                 interpolation: str = 'bicubic',
                 backend: str = 'cv2',
                 make_sr_target: bool = True,
                 source: str = 'hr') -> None:
        if not 0 < scale_factor <= 1:
            raise ValueError('GenerateLRInput: scale_factor must be in '
                             f'(0, 1], got {scale_factor}')
        if interpolation not in ('bicubic', 'bilinear', 'area', 'nearest'):
            raise ValueError(
                f'GenerateLRInput: unknown interpolation {interpolation!r}; '
                "expected 'bicubic', 'bilinear', 'area' or 'nearest'")
        if backend not in ('cv2', 'pillow'):
            raise ValueError(f'GenerateLRInput: unknown backend {backend!r}; '
                             "expected 'cv2' or 'pillow'")
        if source not in ('hr', 'original'):
            raise ValueError(f'GenerateLRInput: unknown source {source!r}; '
                             "expected 'hr' or 'original'")
        self.source = source
        self.scale_factor = scale_factor
        self.interpolation = interpolation
        self.backend = backend
        self.make_sr_target = make_sr_target

    def transform(self, results: dict) -> dict:
        """Downsample ``img`` and keep the HR target.

        Args:
            results (dict): Result dict with the HR ``img``.

        Returns:
            dict: Results with the LR ``img``, ``hr_shape`` and ``gt_sr``.
        """
        hr = results['img']
        h, w = hr.shape[:2]
        lr_h = int(round(h * self.scale_factor))
        lr_w = int(round(w * self.scale_factor))
        if abs(lr_h / self.scale_factor -
               h) > 1e-6 or abs(lr_w / self.scale_factor - w) > 1e-6:
            raise ValueError(
                f'GenerateLRInput: HR image {h}x{w} of '
                f'{results.get("img_path")} is not divisible by '
                f'1/scale_factor={1 / self.scale_factor:g}; resize it first '
                '(SODResize)')
        original = results.pop('img_original', None)
        if self.source == 'original':
            if original is None:
                raise ValueError(
                    "GenerateLRInput(source='original') needs the image "
                    'before the resize: set SODResize(keep_original=True) '
                    'in the pipeline')
            src = original
        else:
            src = hr
        results['img'] = resize_array(src, (lr_h, lr_w), self.interpolation,
                                      self.backend)
        results['img_shape'] = (lr_h, lr_w)
        results['hr_shape'] = (h, w)
        if 'scale_factor' in results:  # keep it relative to the original
            sw, sh = results['scale_factor']
            results['scale_factor'] = (sw * lr_w / w, sh * lr_h / h)
        fill = results.pop('canvas_fill_mask', None)
        if self.make_sr_target:
            gt_sr = bgr_to_ycbcr(hr)
            if fill is not None:
                if fill.shape != (h, w):
                    raise ValueError(
                        f'GenerateLRInput: canvas_fill_mask {fill.shape} '
                        f'does not match the HR image {(h, w)}; put '
                        'RandomFlipRotate before SODResize')
                chroma = _YCBCR_OFFSET[1:].astype(np.float32) / 255.0
                gt_sr[...,
                      1:] = np.clip(gt_sr[..., 1:] - fill[..., None] * chroma,
                                    0.0, 1.0)
            results['gt_sr'] = gt_sr
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}('
                f'scale_factor={self.scale_factor}, '
                f"interpolation='{self.interpolation}', "
                f"backend='{self.backend}', "
                f'make_sr_target={self.make_sr_target}, '
                f"source='{self.source}')")

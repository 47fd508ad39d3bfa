# Copyright (c) mmrsod contributors. All rights reserved.
"""Low-resolution detection input with the HR image kept as SR target."""
from typing import Optional

import numpy as np
from mmcv.transforms import BaseTransform
from mmdet.registry import TRANSFORMS
from mmdet.structures.bbox import BaseBoxes

from .sod_resize import resize_array

__all__ = ['DownsampleToLR']


@TRANSFORMS.register_module()
class DownsampleToLR(BaseTransform):
    """Make the ``scale``-times bicubic-downsampled LR network input.

    The SR setting of SDCoNet and IFKD: the detector sees the LR image, the
    HR image stays available as the super-resolution target ``gt_sr``, and
    predictions are evaluated in the HR frame. Put it after
    ``LoadImageFromFile`` (+ ``LoadAnnotations``) and after any geometric
    augmentation (flips must act on the HR image so that ``gt_sr`` and the
    input stay aligned; :class:`PackDetSRInputs` refuses a flip done after
    this transform). A ``Resize`` belongs before it too: mmdet's
    ``Resize`` overwrites ``scale_factor`` with its own factor instead of
    composing it, which would evaluate predictions in the LR frame;
    :class:`PackDetSRInputs` refuses that as well.

    Kernel. ``backend='pillow'`` (default) is PIL's ``Image.resize(...,
    BICUBIC)``: the cubic kernel (a = -0.5) widened by the scale factor,
    i.e. **anti-aliased** like MATLAB's ``imresize(I, 1/s, 'bicubic')``,
    which SR papers use to make their LR inputs (both papers say
    "bicubic downsampling" and come from the SR literature). PIL rounds in
    fixed point, so it agrees with MATLAB within a grey level or so, not
    bit for bit. ``backend='cv2'`` is ``cv2.INTER_CUBIC``, which samples
    the 4x4 neighbourhood **without** widening the kernel (no
    anti-aliasing: fine texture aliases into the LR image); it is offered
    for comparison with cv2-based pipelines.

    Sizes. The HR height and width must be multiples of ``scale`` (the
    prepared tiles are 512 or 1024 px); otherwise the transform raises a
    ``ValueError`` naming the image, since silently cropping or rounding
    would shift the frame between LR boxes, ``gt_sr`` and the HR ground
    truth. With ``pad_to_multiple=True`` (e.g. testing on whole images of
    any size) the HR image is zero-padded at the bottom/right to the next
    multiple of ``scale`` first, as the tiler pads tiles: the origin and
    the boxes do not move, ``gt_sr`` is the padded HR image and
    ``ori_shape`` stays the unpadded size.

    Frame. ``gt_bboxes`` are multiplied by ``1 / scale`` (exact for the
    continuous corner coordinates mmdet uses), ``img_shape`` becomes the
    LR shape, ``scale_factor`` is multiplied by ``1 / scale`` (composed
    with any earlier ``Resize``; ``(1/scale, 1/scale)`` when there was
    none) and ``homography_matrix`` records the scaling as mmdet's
    ``Resize`` does. ``ori_shape`` is left at the loaded (HR) shape. mmdet
    heads with ``rescale=True`` divide the predicted boxes by
    ``scale_factor``, so predictions come back in the HR frame of
    ``ori_shape``, where ``CocoMetric`` compares them with the HR
    annotations: COCO's small/medium/large areas are those of the HR
    objects.

    Required Keys: img, gt_bboxes (optional)

    Modified Keys: img, img_shape, gt_bboxes, scale_factor,
    homography_matrix

    Added Keys:

    - gt_sr (np.uint8, (H, W, 3)): the HR image, same channel order as
      ``img``; only with ``keep_hr=True``.
    - hr_shape (tuple[int, int]): (H, W) of the HR image.
    - lr_scale_factor (tuple[float, float]): ``scale_factor`` as set here
      (checked by :class:`PackDetSRInputs`).

    Args:
        scale (int): Downsampling factor (LR size = HR size / scale).
            Defaults to 2.
        backend (str): ``'pillow'`` (anti-aliased bicubic, default) or
            ``'cv2'`` (``cv2.INTER_CUBIC``).
        keep_hr (bool): Keep the HR image as ``gt_sr``. Defaults to True;
            test pipelines set it to False (no SR loss at test time).
        pad_to_multiple (bool): Zero-pad an HR image whose size is not a
            multiple of ``scale`` instead of raising. Defaults to False.
    """

    def __init__(self,
                 scale: int = 2,
                 backend: str = 'pillow',
                 keep_hr: bool = True,
                 pad_to_multiple: bool = False) -> None:
        if isinstance(scale,
                      bool) or not isinstance(scale,
                                              (int, np.integer)) or scale < 1:
            raise ValueError('DownsampleToLR: scale must be an integer >= 1, '
                             f'got {scale!r}')
        if backend not in ('pillow', 'cv2'):
            raise ValueError(f'DownsampleToLR: unknown backend {backend!r}; '
                             "expected 'pillow' or 'cv2'")
        self.scale = int(scale)
        self.backend = backend
        self.keep_hr = keep_hr
        self.pad_to_multiple = pad_to_multiple

    def transform(self, results: dict) -> Optional[dict]:
        """Replace ``img`` by its LR version and rescale the annotations.

        Args:
            results (dict): Result dict with the HR ``img`` (H, W, C).

        Returns:
            dict: Results with the LR ``img`` (H/scale, W/scale, C), the
            scaled ``gt_bboxes`` and, with ``keep_hr``, ``gt_sr``.
        """
        hr = results['img']
        h, w = hr.shape[:2]
        s = self.scale
        if (h % s or w % s) and self.pad_to_multiple:
            pad = ((0, -h % s), (0, -w % s)) + ((0, 0), ) * (hr.ndim - 2)
            hr = np.pad(hr, pad)
            h, w = hr.shape[:2]
        if h % s or w % s:
            raise ValueError(
                f'DownsampleToLR: image {results.get("img_path")} is '
                f'{h}x{w} (HxW), not divisible by scale={s}; resize or tile '
                f'it to a multiple of {s} before DownsampleToLR, or set '
                'pad_to_multiple=True')
        lr_h, lr_w = h // s, w // s
        lr = resize_array(hr, (lr_h, lr_w), 'bicubic', self.backend)
        # PIL's arrays are read-only; later transforms may write in place
        results['img'] = lr if lr.flags.writeable else lr.copy()
        results['img_shape'] = (lr_h, lr_w)
        results['hr_shape'] = (h, w)
        sw, sh = results.get('scale_factor', (1.0, 1.0))
        results['scale_factor'] = (sw / s, sh / s)
        # lets PackDetSRInputs catch a later Resize, which would overwrite
        # scale_factor instead of composing it (predictions off the HR frame)
        results['lr_scale_factor'] = results['scale_factor']
        matrix = np.array([[1 / s, 0, 0], [0, 1 / s, 0], [0, 0, 1]],
                          dtype=np.float32)
        if results.get('homography_matrix') is None:
            results['homography_matrix'] = matrix
        else:
            results['homography_matrix'] = (
                matrix @ results['homography_matrix'])
        boxes = results.get('gt_bboxes')
        if boxes is not None:
            if isinstance(boxes, BaseBoxes):
                boxes.rescale_((1 / s, 1 / s))
            else:
                results['gt_bboxes'] = np.asarray(boxes) / s
        if self.keep_hr:
            results['gt_sr'] = hr
            # lets PackDetSRInputs catch a flip applied to the LR input only
            results['gt_sr_flip'] = (bool(results.get('flip', False)),
                                     results.get('flip_direction'))
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(scale={self.scale}, '
                f"backend='{self.backend}', keep_hr={self.keep_hr}, "
                f'pad_to_multiple={self.pad_to_multiple})')

# Copyright (c) mmrsod contributors. All rights reserved.
from typing import List, Optional, Sequence, Tuple

import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS
from PIL import Image

__all__ = ['RandomFlipRotate']

# SRAL authors' scheme (``random_aug_transform`` in lyf0801/SRAL): each with
# probability 1/4, followed by a rotation drawn from {0, 90, 180, 270}.
_SRAL_FLIPS: Tuple[Tuple[str, ...], ...] = (
    ('horizontal', 'vertical'),
    ('horizontal', ),
    ('vertical', 'horizontal'),
    ('vertical', ),
)


@TRANSFORMS.register_module()
class RandomFlipRotate(BaseTransform):
    """Random flips and right-angle rotations, same for image and masks.

    One random transform is drawn per sample and applied to ``img`` and to
    every array named in ``seg_fields`` (and to ``gt_sr`` when present), so
    they stay aligned.

    ``scheme='sral'`` (default) reproduces the SRAL authors' augmentation:
    one of [hflip, vflip], [hflip], [vflip, hflip], [vflip] (each p=0.25),
    then a counter-clockwise rotation by an angle drawn uniformly from
    ``angles`` (default {0, 90, 180, 270}). There is always at least one
    flip; on square images the resulting distribution is uniform over the
    8 symmetries of the square (hflip+vflip is a 180 degree rotation).

    Rotation, ``rotate_mode``:

    * ``'canvas'`` (default, the authors' code): torchvision's
      ``RandomRotation((a, a))`` on a PIL image, i.e. PIL
      ``Image.rotate(a, NEAREST, expand=False, fillcolor=0)`` about the
      image centre for image **and** mask: the canvas keeps its size, so on
      a non-square image a 90/270 degree rotation cuts the ends of the long
      side and leaves black (0) bars. Put the transform **before**
      ``SODResize`` to do what the authors do (flip, rotate the original
      image, then resize). Filled pixels are recorded in
      ``canvas_fill_mask`` so that ``GenerateLRInput`` can reproduce the
      authors' SR target there (their YCbCr image is rotated with fill 0,
      i.e. Y = Cb = Cr = 0, not the YCbCr of black). On a square image
      this is the exact right-angle rotation.
    * ``'exact'``: ``np.rot90`` (no pixel lost, a non-square image swaps
      height and width); the earlier behaviour of this project, meant to
      run after ``SODResize`` on the square HR image.

    ``scheme='independent'``: horizontal flip with ``hflip_prob``, vertical
    flip with ``vflip_prob``, then a rotation drawn from ``angles``.

    Added Keys:

    - flip (bool): whether any flip was applied.
    - flip_direction (str | None): the flips as mmcv's ``RandomFlip``
      names them: ``'horizontal'``, ``'vertical'``, ``'diagonal'`` (both;
      they commute) or None, so that ``SRALSegmentor.postprocess_result``
      can undo them if the transform is used at test time.
    - rotate (int): counter-clockwise rotation in degrees, applied after
      the flips.
    - canvas_fill_mask (np.uint8, (H, W), 1 = filled by the rotation):
      only with ``rotate_mode='canvas'`` when pixels were filled.

    Modified Keys: img, img_shape, seg fields, gt_sr.

    Args:
        scheme (str): ``'sral'`` or ``'independent'``. Defaults to
            ``'sral'``.
        hflip_prob (float): Horizontal flip probability (``'independent'``
            only). Defaults to 0.5.
        vflip_prob (float): Vertical flip probability (``'independent'``
            only). Defaults to 0.5.
        angles (Sequence[int]): Candidate rotation angles, multiples of 90.
            Defaults to (0, 90, 180, 270).
        rotate_mode (str): ``'canvas'`` (authors) or ``'exact'``, see
            above. Defaults to ``'canvas'``.
    """

    def __init__(self,
                 scheme: str = 'sral',
                 hflip_prob: float = 0.5,
                 vflip_prob: float = 0.5,
                 angles: Sequence[int] = (0, 90, 180, 270),
                 rotate_mode: str = 'canvas') -> None:
        if scheme not in ('sral', 'independent'):
            raise ValueError(
                f"RandomFlipRotate: scheme must be 'sral' or 'independent', "
                f'got {scheme!r}')
        for name, p in (('hflip_prob', hflip_prob), ('vflip_prob',
                                                     vflip_prob)):
            if not 0.0 <= p <= 1.0:
                raise ValueError(
                    f'RandomFlipRotate: {name} must be in [0, 1], got {p}')
        angles = tuple(int(a) for a in angles)
        if not angles or any(a % 90 for a in angles):
            raise ValueError(
                'RandomFlipRotate: angles must be a non-empty list of '
                f'multiples of 90, got {angles}')
        if rotate_mode not in ('canvas', 'exact'):
            raise ValueError("RandomFlipRotate: rotate_mode must be 'canvas' "
                             f"or 'exact', got {rotate_mode!r}")
        self.scheme = scheme
        self.rotate_mode = rotate_mode
        self.hflip_prob = hflip_prob
        self.vflip_prob = vflip_prob
        self.angles = angles

    def _sample(self) -> Tuple[Tuple[str, ...], int]:
        """Draw the flips and the rotation angle for one sample."""
        angle = self.angles[np.random.randint(len(self.angles))]
        if self.scheme == 'sral':
            flips = _SRAL_FLIPS[np.random.randint(4)]
        else:
            flips: List[str] = []
            if np.random.rand() < self.hflip_prob:
                flips.append('horizontal')
            if np.random.rand() < self.vflip_prob:
                flips.append('vertical')
            flips = tuple(flips)
        return flips, angle % 360

    @staticmethod
    def rotate_canvas(array: np.ndarray, angle: int) -> np.ndarray:
        """Rotate inside the canvas as PIL/torchvision (nearest, fill 0).

        Args:
            array (np.ndarray): (H, W) or (H, W, C) ``uint8`` or float
                array.
            angle (int): Counter-clockwise angle in degrees.

        Returns:
            np.ndarray: Rotated array of the input shape and dtype.
        """
        if angle % 360 == 0:
            return array
        if array.dtype == np.uint8 and (array.ndim == 2
                                        or array.shape[2] == 3):
            return np.asarray(
                Image.fromarray(array).rotate(
                    angle, Image.Resampling.NEAREST, expand=False,
                    fillcolor=0))
        chans = array[..., None] if array.ndim == 2 else array
        out = np.stack([
            np.asarray(
                Image.fromarray(
                    np.ascontiguousarray(
                        chans[..., c], dtype=np.float32)).rotate(
                            angle,
                            Image.Resampling.NEAREST,
                            expand=False,
                            fillcolor=0.0)) for c in range(chans.shape[2])
        ],
                       axis=-1).astype(array.dtype)
        return out[..., 0] if array.ndim == 2 else out

    @staticmethod
    def apply(array: np.ndarray,
              flips: Sequence[str],
              angle: int,
              rotate_mode: str = 'exact') -> np.ndarray:
        """Apply ``flips`` then a counter-clockwise rotation by ``angle``.

        Args:
            array (np.ndarray): (H, W) or (H, W, C) array.
            flips (Sequence[str] | str | None): ``'horizontal'``/
                ``'vertical'`` flips, or a ``flip_direction`` as written in
                the results (``'diagonal'`` is both, None none).
            angle (int): Multiple of 90 degrees.
            rotate_mode (str): ``'exact'`` (``np.rot90``) or ``'canvas'``
                (:meth:`rotate_canvas`). Defaults to ``'exact'``.

        Returns:
            np.ndarray: Contiguous transformed array.
        """
        if flips is None or isinstance(flips, str):
            flips = (('horizontal', 'vertical') if flips == 'diagonal' else
                     (flips, ) if flips else ())
        for direction in flips:
            axis = 1 if direction == 'horizontal' else 0
            array = np.flip(array, axis=axis)
        if rotate_mode == 'canvas':
            return np.ascontiguousarray(
                RandomFlipRotate.rotate_canvas(
                    np.ascontiguousarray(array), angle))
        k = (angle // 90) % 4
        if k:
            array = np.rot90(array, k=k, axes=(0, 1))
        return np.ascontiguousarray(array)

    def _fill_mask(self, shape: Tuple[int, int],
                   angle: int) -> Optional[np.ndarray]:
        """Pixels filled by a canvas rotation (None when there are none)."""
        if self.rotate_mode != 'canvas' or angle % 360 == 0:
            return None
        valid = self.rotate_canvas(np.full(shape, 255, np.uint8), angle)
        fill = (valid == 0).astype(np.uint8)
        return fill if fill.any() else None

    def transform(self, results: dict) -> dict:
        """Apply one random flip/rotation to image and seg fields.

        Args:
            results (dict): Result dict.

        Returns:
            dict: The transformed results.
        """
        if 'img_original' in results:
            raise ValueError(
                'RandomFlipRotate runs after SODResize(keep_original=True): '
                'put it before SODResize in the pipeline (the authors flip '
                'and rotate the original image, then resize)')
        if 'canvas_fill_mask' in results:
            raise ValueError('RandomFlipRotate: the pipeline rotates twice '
                             '(canvas_fill_mask already set)')
        flips, angle = self._sample()
        mode = self.rotate_mode
        shape = results['img'].shape[:2]
        results['img'] = self.apply(results['img'], flips, angle, mode)
        results['img_shape'] = results['img'].shape[:2]
        for key in results.get('seg_fields', []):
            results[key] = self.apply(results[key], flips, angle, mode)
        if 'gt_sr' in results:
            results['gt_sr'] = self.apply(results['gt_sr'], flips, angle, mode)
        fill = self._fill_mask(shape, angle)
        if fill is not None:
            results['canvas_fill_mask'] = fill
        results['flip'] = bool(flips)
        results['flip_direction'] = ('diagonal' if len(set(flips)) == 2 else
                                     (flips[0] if flips else None))
        results['rotate'] = int(angle)
        results['rotate_mode'] = mode
        return results

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}(scheme='{self.scheme}', "
                f'hflip_prob={self.hflip_prob}, '
                f'vflip_prob={self.vflip_prob}, angles={self.angles}, '
                f"rotate_mode='{self.rotate_mode}')")

# Copyright (c) mmrsod contributors. All rights reserved.
from typing import List, Sequence, Tuple

import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS

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
    The authors rotate the original (possibly non-square) image inside its
    own canvas (torchvision ``RandomRotation``, corners cut off) and resize
    afterwards; here the transform is meant to run after ``SODResize`` on
    the square HR image, where rotations are exact.

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
    """

    def __init__(
        self,
        scheme: str = 'sral',
        hflip_prob: float = 0.5,
        vflip_prob: float = 0.5,
        angles: Sequence[int] = (0, 90, 180, 270)
    ) -> None:
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
        self.scheme = scheme
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
    def apply(array: np.ndarray, flips: Sequence[str],
              angle: int) -> np.ndarray:
        """Apply ``flips`` then a counter-clockwise rotation by ``angle``.

        Args:
            array (np.ndarray): (H, W) or (H, W, C) array.
            flips (Sequence[str] | str | None): ``'horizontal'``/
                ``'vertical'`` flips, or a ``flip_direction`` as written in
                the results (``'diagonal'`` is both, None none).
            angle (int): Multiple of 90 degrees.

        Returns:
            np.ndarray: Contiguous transformed array.
        """
        if flips is None or isinstance(flips, str):
            flips = (('horizontal', 'vertical') if flips == 'diagonal' else
                     (flips, ) if flips else ())
        for direction in flips:
            axis = 1 if direction == 'horizontal' else 0
            array = np.flip(array, axis=axis)
        k = (angle // 90) % 4
        if k:
            array = np.rot90(array, k=k, axes=(0, 1))
        return np.ascontiguousarray(array)

    def transform(self, results: dict) -> dict:
        """Apply one random flip/rotation to image and seg fields.

        Args:
            results (dict): Result dict.

        Returns:
            dict: The transformed results.
        """
        flips, angle = self._sample()
        results['img'] = self.apply(results['img'], flips, angle)
        results['img_shape'] = results['img'].shape[:2]
        for key in results.get('seg_fields', []):
            results[key] = self.apply(results[key], flips, angle)
        if 'gt_sr' in results:
            results['gt_sr'] = self.apply(results['gt_sr'], flips, angle)
        results['flip'] = bool(flips)
        results['flip_direction'] = ('diagonal' if len(set(flips)) == 2 else
                                     (flips[0] if flips else None))
        results['rotate'] = int(angle)
        return results

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}(scheme='{self.scheme}', "
                f'hflip_prob={self.hflip_prob}, '
                f'vflip_prob={self.vflip_prob}, angles={self.angles})')

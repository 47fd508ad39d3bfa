# Copyright (c) mmrsod contributors. All rights reserved.
"""On-disk fp16 cache of frozen-encoder features (IFKD's EDE)."""
import hashlib
import io
import logging
import os.path as osp
from typing import Optional, Tuple

import torch
from mmengine.logging import print_log
from torch import Tensor

from mmrsod.utils.atomic_io import atomic_write_bytes

__all__ = ['FeatureCache', 'CacheKey', 'make_cache_key']

#: (image path, flip direction or None, (input height, input width))
CacheKey = Tuple[str, Optional[str], Tuple[int, int]]


def make_cache_key(img_path: str, flip_direction: Optional[str],
                   size: Tuple[int, int]) -> CacheKey:
    """Normalise a cache key.

    Args:
        img_path (str): Source image path (made absolute, so the same image
            reached through different relative paths shares an entry).
        flip_direction (str, optional): ``None`` when not flipped, else
            mmdet's ``flip_direction`` (``'horizontal'``, ...).
        size (tuple[int, int]): (H, W) of the image given to the encoder.

    Returns:
        CacheKey: ``(abs_path, flip_direction, (H, W))``.
    """
    return (osp.abspath(img_path), flip_direction
            or None, (int(size[0]), int(size[1])))


class FeatureCache:
    """fp16 ``.pt`` files, one per (image, flip state, input size).

    Entries live under ``root/<fingerprint>/xx/<sha1 of key>.pt``, so
    features of other encoder weights (another fingerprint) are never
    returned: changing the weights turns every lookup into a miss. Each
    file stores its key next to the tensor (a hash collision or a moved
    file reads as a miss). Files are written to a temporary name and
    renamed, so concurrent writers (DDP ranks, the pre-compute tool) and
    readers never see a partial file; two writers of one key write the same
    features and the last rename wins.

    Args:
        root (str): Cache folder.
        fingerprint (str): Encoder fingerprint
            (:meth:`mmrsod.models.utils.MobileSAMEncoder.fingerprint`).
    """

    def __init__(self, root: str, fingerprint: str) -> None:
        if not fingerprint or any(c in fingerprint for c in '/\\.'):
            raise ValueError(f'bad cache fingerprint {fingerprint!r}')
        self.root = root
        self.fingerprint = fingerprint
        self.folder = osp.join(root, fingerprint)
        self.hits = 0
        self.misses = 0

    def path(self, key: CacheKey) -> str:
        """File of an entry.

        Args:
            key (CacheKey): See :func:`make_cache_key`.

        Returns:
            str: ``root/fingerprint/xx/<40 hex>.pt``.
        """
        digest = hashlib.sha1(repr(self._norm(key)).encode()).hexdigest()
        return osp.join(self.folder, digest[:2], digest + '.pt')

    @staticmethod
    def _norm(key: CacheKey) -> CacheKey:
        return make_cache_key(*key)

    def get(self, key: CacheKey) -> Optional[Tensor]:
        """Cached features, or None on a miss.

        An unreadable file (or one holding another key) counts as a miss and
        is logged; the next :meth:`put` replaces it.

        Args:
            key (CacheKey): See :func:`make_cache_key`.

        Returns:
            Tensor | None: The stored fp16 tensor on CPU, e.g.
            (256, 64, 64).
        """
        filename = self.path(key)
        if not osp.isfile(filename):
            self.misses += 1
            return None
        try:
            entry = torch.load(filename, map_location='cpu', weights_only=True)
            if tuple(entry['key']) != self._flat(key):
                raise ValueError(f'holds key {entry["key"]!r}')
            feats = entry['feats']
        except Exception as err:  # noqa: B902 (any bad file is a miss)
            print_log(
                f'feature cache: ignoring unreadable {filename}: {err}',
                logger='current',
                level=logging.WARNING)
            self.misses += 1
            return None
        self.hits += 1
        return feats

    def _flat(self, key: CacheKey) -> tuple:
        path, flip, (h, w) = self._norm(key)
        return (path, flip, h, w)

    def put(self, key: CacheKey, feats: Tensor) -> str:
        """Store features as fp16, atomically.

        Args:
            key (CacheKey): See :func:`make_cache_key`.
            feats (Tensor): Features of one image, e.g. (256, 64, 64).

        Returns:
            str: The file written.
        """
        buffer = io.BytesIO()
        torch.save(
            {
                'key': list(self._flat(key)),
                'feats': feats.detach().to('cpu', torch.float16).contiguous()
            }, buffer)
        filename = self.path(key)
        atomic_write_bytes(buffer.getvalue(), filename)
        return filename

    def verify(self,
               key: CacheKey,
               fresh: Tensor,
               atol: float = 1e-2,
               rtol: float = 1e-3) -> bool:
        """Whether the cached entry agrees with freshly computed features.

        Args:
            key (CacheKey): See :func:`make_cache_key`.
            fresh (Tensor): Features computed now, same shape as cached.
            atol (float): Absolute tolerance (fp16 storage rounds to about
                5e-4 relative). Defaults to 1e-2.
            rtol (float): Relative tolerance. Defaults to 1e-3.

        Returns:
            bool: True when shapes match and every element is within
            ``atol + rtol * |fresh|``.

        Raises:
            KeyError: if there is no entry for ``key``.
        """
        cached = self.get(key)
        if cached is None:
            raise KeyError(f'feature cache has no entry for {key!r} under '
                           f'{self.folder}')
        fresh = fresh.detach().to('cpu', torch.float32)
        if cached.shape != fresh.shape:
            return False
        return bool(torch.allclose(cached.float(), fresh, rtol, atol))

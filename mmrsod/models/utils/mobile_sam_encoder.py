# Copyright (c) mmrsod contributors. All rights reserved.
"""Frozen MobileSAM image encoder for IFKD's external disturbance (EDE)."""
import hashlib
import math
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmdet.registry import MODELS
from torch import Tensor, nn

from mmrsod.models.backbones.tiny_vit import TinyViT
from mmrsod.models.utils.feature_cache import CacheKey, FeatureCache
from mmrsod.utils.checkpoint import trusted_torch_load
from mmrsod.utils.errors import ConfigError
from mmrsod.utils.messages import short_list

__all__ = [
    'MobileSAMEncoder', 'SAM_PIXEL_MEAN', 'SAM_PIXEL_STD',
    'extract_image_encoder_state', 'resize_longest_side_shape'
]

SAM_PIXEL_MEAN = (123.675, 116.28, 103.53)
SAM_PIXEL_STD = (58.395, 57.12, 57.375)
_PREFIX = 'image_encoder.'


def resize_longest_side_shape(height: int, width: int,
                              long_side: int) -> Tuple[int, int]:
    """Size after scaling the long side to ``long_side`` (SAM's rule).

    Both sides are scaled by ``long_side / max(height, width)`` and rounded
    half up.

    Args:
        height (int): Input height.
        width (int): Input width.
        long_side (int): Target long side, 1024 for MobileSAM.

    Returns:
        tuple[int, int]: (new_height, new_width).
    """
    scale = long_side / max(height, width)
    return int(height * scale + 0.5), int(width * scale + 0.5)


def extract_image_encoder_state(
        state: Dict[str, Tensor],
        filename: str = '<state dict>') -> Dict[str, Tensor]:
    """The image-encoder part of a MobileSAM checkpoint, prefix removed.

    Accepts the official ``mobile_sam.pt`` (a flat dict whose encoder keys
    start with ``image_encoder.``, next to ``prompt_encoder.*`` and
    ``mask_decoder.*``), an mmengine checkpoint holding it under
    ``state_dict``, or an encoder-only state dict without the prefix.

    Args:
        state (dict): The loaded object.
        filename (str): Named in errors.

    Returns:
        dict[str, Tensor]: Encoder keys without ``image_encoder.``.

    Raises:
        ConfigError: if ``state`` is not a dict of tensors.
    """
    if isinstance(state, dict) and isinstance(state.get('state_dict'), dict):
        state = state['state_dict']
    if not isinstance(state, dict):
        raise ConfigError(f'{filename}: expected a state dict, got '
                          f'{type(state).__name__}')
    prefixed = {
        k[len(_PREFIX):]: v
        for k, v in state.items() if k.startswith(_PREFIX)
    }
    return prefixed if prefixed else dict(state)


@MODELS.register_module()
class MobileSAMEncoder(nn.Module):
    """MobileSAM's image encoder, frozen, with MobileSAM's pre-processing.

    The encoder always stays in eval mode (it has BatchNorms) and holds no
    trainable parameter; ``forward`` runs without autograd. Users keep it
    out of a student's ``state_dict`` (IFKD's detector registers it with
    ``object.__setattr__``).

    Without a checkpoint the encoder is random: that is refused with a
    :class:`~mmrsod.utils.ConfigError` unless ``allow_random=True`` (tests,
    timing), because random features would silently turn EDE into noise.

    Args:
        checkpoint (str, optional): Path of ``mobile_sam.pt`` (or an
            encoder-only state dict). Loaded strictly (every official
            ``image_encoder.*`` key, the unused classifier head included).
        allow_random (bool): Accept ``checkpoint=None``. Defaults to False.
        encoder (dict, optional): Keyword arguments of
            :class:`~mmrsod.models.backbones.TinyViT`; the defaults are
            MobileSAM's ``vit_t``. Smaller ones are for tests.
        img_size (int): Long side and padded square size. Defaults to 1024.
        pixel_mean (Sequence[float]): RGB mean on the 0-255 scale.
        pixel_std (Sequence[float]): RGB std on the 0-255 scale.
    """

    def __init__(self,
                 checkpoint: Optional[str] = None,
                 allow_random: bool = False,
                 encoder: Optional[dict] = None,
                 img_size: int = 1024,
                 pixel_mean: Sequence[float] = SAM_PIXEL_MEAN,
                 pixel_std: Sequence[float] = SAM_PIXEL_STD) -> None:
        super().__init__()
        if checkpoint is None and not allow_random:
            raise ConfigError(
                'MobileSAMEncoder: checkpoint is None; EDE needs the official '
                'mobile_sam.pt (set checkpoint=PATH), or allow_random=True to '
                'run with a random encoder on purpose')
        self.img_size = img_size
        self.image_encoder = TinyViT(**(encoder or {}))
        self.register_buffer(
            'pixel_mean',
            torch.tensor(pixel_mean, dtype=torch.float32).view(1, -1, 1, 1),
            persistent=False)
        self.register_buffer(
            'pixel_std',
            torch.tensor(pixel_std, dtype=torch.float32).view(1, -1, 1, 1),
            persistent=False)
        self.checkpoint = checkpoint
        self._fingerprint: Optional[str] = None
        if checkpoint is not None:
            self.load_checkpoint(checkpoint)
        self.requires_grad_(False)
        self.train(False)

    def load_checkpoint(self, filename: str) -> None:
        """Load MobileSAM image-encoder weights strictly.

        Args:
            filename (str): ``mobile_sam.pt`` or an encoder state dict.

        Raises:
            ConfigError: if the file is missing or its keys do not match.
        """
        if not osp.isfile(filename):
            raise ConfigError(f'MobileSAM checkpoint not found: {filename}')
        state = extract_image_encoder_state(
            trusted_torch_load(filename, map_location='cpu'), filename)
        self.load_encoder_state_dict(state, filename)

    def load_encoder_state_dict(self,
                                state: Dict[str, Tensor],
                                filename: str = '<state dict>') -> None:
        """Load encoder weights (no ``image_encoder.`` prefix) strictly.

        Args:
            state (dict[str, Tensor]): The weights.
            filename (str): Named in errors.

        Raises:
            ConfigError: if keys are missing or unexpected.
        """
        own = set(self.image_encoder.state_dict())
        missing = sorted(own - set(state))
        unexpected = sorted(set(state) - own)
        if missing or unexpected:
            raise ConfigError(
                f'{filename}: not a MobileSAM vit_t image encoder: '
                f'{len(missing)} missing keys ({short_list(missing, 3)}), '
                f'{len(unexpected)} unexpected keys '
                f'({short_list(unexpected, 3)})')
        self.image_encoder.load_state_dict(state, strict=True)
        self._fingerprint = None

    def train(self, mode: bool = True) -> 'MobileSAMEncoder':
        """Stay in eval mode whatever ``mode`` is (frozen BatchNorms).

        Args:
            mode (bool): Ignored.

        Returns:
            MobileSAMEncoder: self.
        """
        return super().train(False)

    def fingerprint(self) -> str:
        """A hash of the weights and the pre-processing.

        Feature caches are keyed on it, so new weights (or another input
        size or normalisation) never reuse stale features.

        Returns:
            str: 16 hexadecimal characters.
        """
        if self._fingerprint is None:
            digest = hashlib.sha256()
            digest.update(f'img_size={self.img_size};'.encode())
            extra = {
                'pixel_mean': self.pixel_mean,
                'pixel_std': self.pixel_std
            }
            items = list(self.image_encoder.state_dict().items())
            for name, tensor in items + sorted(extra.items()):
                data = tensor.detach().cpu().contiguous()
                digest.update(
                    f'{name}:{data.dtype}:{tuple(data.shape)};'.encode())
                digest.update(
                    data.view(-1).view(torch.uint8).numpy().tobytes() if data.
                    numel() else b'')
            self._fingerprint = digest.hexdigest()[:16]
        return self._fingerprint

    def valid_size(self, height: int, width: int) -> Tuple[int, int]:
        """Size of the embedding part computed from image (not padding).

        Args:
            height (int): Height of the image given to :meth:`forward`.
            width (int): Width of the image given to :meth:`forward`.

        Returns:
            tuple[int, int]: (h, w) = ceil of the resized size over the
            encoder stride, e.g. (64, 43) for a 600x400 image at 1024.
        """
        new_h, new_w = resize_longest_side_shape(height, width, self.img_size)
        stride = self.image_encoder.out_stride
        return math.ceil(new_h / stride), math.ceil(new_w / stride)

    def preprocess(self, images: Tensor) -> Tensor:
        """MobileSAM's input: resize, normalise, zero-pad bottom/right.

        The long side is scaled to ``img_size`` (bilinear, antialiased,
        sizes rounded half up), the 0-255 RGB values are normalised with
        ``pixel_mean``/``pixel_std``, and the result is zero-padded at the
        bottom and right to ``img_size x img_size`` (zero after
        normalisation, as in ``Sam.preprocess``).

        Args:
            images (Tensor): (B, 3, H, W) RGB in 0-255 (uint8 or float).

        Returns:
            Tensor: (B, 3, img_size, img_size) float32.
        """
        if images.dim() != 4 or images.size(1) != 3:
            raise ValueError('MobileSAMEncoder expects (B, 3, H, W) RGB '
                             f'images, got {tuple(images.shape)}')
        x = images.to(self.pixel_mean.device, torch.float32)
        h, w = x.shape[-2:]
        new_h, new_w = resize_longest_side_shape(h, w, self.img_size)
        if (new_h, new_w) != (h, w):
            x = F.interpolate(
                x, (new_h, new_w),
                mode='bilinear',
                align_corners=False,
                antialias=True)
        x = (x - self.pixel_mean) / self.pixel_std
        return F.pad(x, (0, self.img_size - new_w, 0, self.img_size - new_h))

    @torch.no_grad()
    def forward(self, images: Tensor) -> Tensor:
        """Image embeddings of raw images.

        Args:
            images (Tensor): (B, 3, H, W) RGB in 0-255.

        Returns:
            Tensor: (B, 256, 64, 64) float32 at the defaults; the valid
            part is ``[..., :h, :w]`` with ``(h, w) = valid_size(H, W)``.
        """
        return self.image_encoder(self.preprocess(images))

    def forward_cached(self,
                       images: Tensor,
                       keys: Sequence[CacheKey],
                       cache: Optional[FeatureCache] = None) -> Tensor:
        """Embeddings through a feature cache.

        Cached entries are read; the misses are encoded in one batch and
        stored. Fresh features are rounded to fp16 like stored ones, so a
        training step sees the same values on a miss and on a later hit.

        Args:
            images (Tensor): (B, 3, H, W) RGB in 0-255.
            keys (Sequence[CacheKey]): One key per image
                (:func:`~mmrsod.models.utils.make_cache_key`).
            cache (FeatureCache, optional): None computes everything
                (without rounding).

        Returns:
            Tensor: (B, 256, 64, 64) float32 on ``images.device`` at the
            defaults.

        Raises:
            ValueError: if the cache belongs to other weights or the number
                of keys differs from B.
        """
        if cache is None:
            return self(images)
        if len(keys) != len(images):
            raise ValueError(f'{len(keys)} cache keys for {len(images)} '
                             'images')
        if cache.fingerprint != self.fingerprint():
            raise ValueError(
                f'feature cache {cache.folder} belongs to encoder weights '
                f'{cache.fingerprint}, this encoder is {self.fingerprint()}')
        feats: List[Optional[Tensor]] = [cache.get(key) for key in keys]
        missing = [i for i, f in enumerate(feats) if f is None]
        if missing:
            fresh = self(images[missing])
            for i, value in zip(missing, fresh):
                cache.put(keys[i], value)
                feats[i] = value.half()
        return torch.stack(feats).to(images.device, torch.float32)

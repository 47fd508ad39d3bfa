# Copyright (c) mmrsod contributors. All rights reserved.
"""DINO that refuses, in one line, an input with fewer encoder tokens than
queries (the small-input trap of low-resolution remote-sensing tiles)."""
from typing import Dict, Optional, Sequence, Tuple

from mmdet.models.detectors import DINO
from mmdet.registry import MODELS
from mmdet.structures import OptSampleList
from torch import Tensor

from mmrsod.utils.errors import ConfigError

__all__ = ['RSDINO', 'num_encoder_tokens']

#: Feature strides of DINO-4scale (3 backbone levels + 1 extra).
DINO_4SCALE_STRIDES = (8, 16, 32, 64)


def num_encoder_tokens(height: int,
                       width: int,
                       strides: Sequence[int] = DINO_4SCALE_STRIDES) -> int:
    """Encoder tokens of a ``height`` x ``width`` input for fixed-size
    inputs (no padding inside the batch).

    Each level has ``ceil(H / s) * ceil(W / s)`` tokens (a ResNet or Swin
    stage rounds up; the extra DINO level is a stride-2 convolution with
    padding 1 on the last one, which rounds up as well).

    Args:
        height (int): Input (network) height in pixels.
        width (int): Input width in pixels.
        strides (Sequence[int]): Stride of each feature level. Defaults to
            DINO-4scale's ``(8, 16, 32, 64)``.

    Returns:
        int: Total number of tokens, e.g. 1360 for 256 x 256 and 340 for
        128 x 128 with the default strides.
    """
    total = 0
    for stride in strides:
        total += -(-height // stride) * -(-width // stride)
    return total


@MODELS.register_module()
class RSDINO(DINO):
    """mmdet's :class:`~mmdet.models.detectors.DINO` with a clear error for
    inputs that are too small for its query selection.

    DINO's two-stage query selection takes the top ``num_queries`` (900 in
    mmdet's configs) encoder tokens. A 256 x 256 LR tile has 1360 tokens at
    strides 8-64, but a 128 x 128 one only 340, and ``torch.topk`` then
    fails deep inside the model with ``selected index k out of range``.
    This class checks the count first and raises a
    :class:`~mmrsod.utils.ConfigError` naming ``model.num_queries``, the
    token count and the input size (the tools print it as one line). It
    changes nothing else: parameters, state-dict keys, initialisation and
    outputs are DINO's, so mmdet DINO checkpoints load unchanged.

    The count is that of all tokens of the padded batch; with padding
    inside a batch some of them are padding, which DINO does not exclude
    from its top-k either.
    """

    def pre_decoder(
        self,
        memory: Tensor,
        memory_mask: Optional[Tensor],
        spatial_shapes: Tensor,
        batch_data_samples: OptSampleList = None,
    ) -> Tuple[Dict]:
        """Check the token count, then run :meth:`DINO.pre_decoder`.

        Args:
            memory (Tensor): Encoder output, shape (bs, num_tokens, dim).
            memory_mask (Tensor, optional): Padding mask, shape
                (bs, num_tokens), or None for unpadded inputs.
            spatial_shapes (Tensor): (num_levels, 2) token grid (h, w) of
                each level.
            batch_data_samples (list[DetDataSample], optional): The batch;
                its ``batch_input_shape`` names the input size in errors.

        Returns:
            tuple[dict]: ``DINO.pre_decoder``'s decoder and head inputs.

        Raises:
            ConfigError: If ``num_queries`` exceeds the number of tokens.
        """
        num_tokens = memory.shape[1]
        if self.num_queries > num_tokens:
            size = 'this'
            if batch_data_samples:
                shape = batch_data_samples[0].metainfo.get('batch_input_shape')
                if shape is not None:
                    size = f'a {shape[0]}x{shape[1]}'
            levels = ' + '.join(f'{int(h) * int(w)}'
                                for h, w in spatial_shapes.tolist())
            raise ConfigError(
                f'model.num_queries={self.num_queries} exceeds the '
                f'{num_tokens} encoder tokens ({levels}) of {size} input: '
                f'set model.num_queries<={num_tokens} or use a larger '
                'input')
        return super().pre_decoder(memory, memory_mask, spatial_shapes,
                                   batch_data_samples)

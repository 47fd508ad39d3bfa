# Copyright (c) mmrsod contributors. All rights reserved.
"""The test-time (deployed) network of a config.

Used by the analysis tools (``get_flops.py``, ``benchmark.py``) and the
inference API (:mod:`mmrsod.apis`): build the model, drop its
training-only branches and optionally switch on the fast CPU path
(:func:`prepare_fast_inference`).
"""
from typing import Optional, Sequence, Tuple

import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope, init_default_scope
from mmengine.runner import load_checkpoint
from torch import nn

from mmrsod.utils.errors import InputError
from .fuse_conv_bn import fuse_conv_bn

__all__ = [
    'build_test_model', 'input_shape_from_cfg', 'NetworkForward',
    'prepare_fast_inference'
]


def input_shape_from_cfg(cfg: Config,
                         shape: Optional[Sequence[int]] = None
                         ) -> Tuple[int, int]:
    """The (H, W) of the network input.

    In order: ``shape``; the data preprocessor's ``size`` (SOD configs);
    ``tile_size // lr_scale`` for detection configs on LR tiles (set in
    ``configs/_base_/datasets/nwpu_vhr10_lr2x.py``); the ``scale`` of the
    test pipeline's ``Resize`` (whole-image configs such as
    ShipRSImageNet's: mmdet's ``(w, h) = (1333, 800)`` gives the largest
    input, (800, 1333)); else 224.

    Args:
        cfg (Config): The config.
        shape (Sequence[int], optional): ``[S]`` or ``[H, W]`` from the CLI.

    Returns:
        tuple[int, int]: Height and width.
    """
    if shape:
        if len(shape) == 1:
            return int(shape[0]), int(shape[0])
        if len(shape) == 2:
            return int(shape[0]), int(shape[1])
        raise InputError(f'--shape takes 1 or 2 integers, got {list(shape)}')
    size = cfg.model.get('data_preprocessor', {}).get('size', None)
    if size is None and 'tile_size' in cfg and 'lr_scale' in cfg:
        side = int(cfg.tile_size) // int(cfg.lr_scale)
        return side, side
    if size is None:
        pipeline = cfg.get('test_dataloader', {}).get('dataset',
                                                      {}).get('pipeline', [])
        for step in pipeline:
            scale = step.get('scale') if step.get('type') == 'Resize' \
                else None
            if isinstance(scale, (list, tuple)) and len(scale) == 2:
                return int(scale[1]), int(scale[0])
        return 224, 224
    return int(size[0]), int(size[1])


def build_test_model(cfg: Config,
                     checkpoint: Optional[str] = None,
                     strip_auxiliary: bool = True,
                     device: str = 'cpu',
                     fast: bool = False) -> nn.Module:
    """Build ``cfg.model`` as it runs at test time.

    Auxiliary training-only branches are removed when the model offers a
    ``strip_auxiliary()`` method (e.g. SRAL's ASRD head and TFGM), so the
    parameters counted are those of the deployed model.

    Args:
        cfg (Config): A loaded config (``custom_imports`` already applied).
        checkpoint (str, optional): Weights to load; without one the model
            keeps its constructor initialisation (no pretrained download).
        strip_auxiliary (bool): Drop training-only branches.
        device (str): Where to put the model.
        fast (bool): Apply :func:`prepare_fast_inference` (BN folding and
            ``channels_last``). Defaults to False.

    Returns:
        nn.Module: The model in eval mode.
    """
    scope = cfg.get('default_scope', None)
    if scope is not None and DefaultScope.get_current_instance() is None:
        init_default_scope(scope)
    from mmengine.registry import MODELS
    model = MODELS.build(cfg.model)
    # Without a checkpoint the weights stay as constructed: FLOPs and speed
    # do not depend on them, and ``init_weights`` could try to download
    # pretrained backbones.
    if checkpoint is not None:
        load_checkpoint(model, checkpoint, map_location='cpu')
    if strip_auxiliary and hasattr(model, 'strip_auxiliary'):
        model.strip_auxiliary()
    model = model.to(device).eval()
    if fast:
        prepare_fast_inference(model)
    return model


def prepare_fast_inference(model: nn.Module) -> nn.Module:
    """Make an eval model faster on CPU without changing its outputs.

    * every BatchNorm that follows a convolution is folded into it
      (:func:`~mmrsod.models.utils.fuse_conv_bn.fuse_conv_bn`);
    * parameters are stored ``channels_last``: oneDNN then runs the
      convolutions in NHWC and their outputs stay NHWC, so no layout
      conversions happen between layers (the input image is converted by
      the first convolution).

    On the 2-core CPU of this project these took the test-time SRAL-R50 at
    224 px from about 200 to 115 ms per image (``channels_last`` ~-37 %,
    folding ~-9 %); ``torch.jit.freeze``/``optimize_for_inference`` fails on
    PPM's adaptive pooling and is not used. Outputs equal the plain model's
    up to float rounding (tests check 1e-4 on probabilities). The model
    can no longer be trained (its BNs are gone).

    Args:
        model (nn.Module): A model in eval mode (training-only branches
            already removed).

    Returns:
        nn.Module: The same object.
    """
    if model.training:
        raise ValueError('prepare_fast_inference folds BatchNorm statistics '
                         'and needs a model in eval mode (call .eval())')
    fuse_conv_bn(model)
    model.to(memory_format=torch.channels_last)
    return model


class NetworkForward(nn.Module):
    """Wrap a model so that ``forward(inputs)`` runs ``model._forward``.

    ``_forward`` is the network without pre- and post-processing (mmengine's
    ``mode='tensor'``), which is what FLOPs and speed are reported for.
    mmdet detectors get one :class:`~mmdet.structures.DetDataSample` per
    image with the input size as ``img_shape``, ``batch_input_shape``,
    ``pad_shape`` and ``ori_shape`` (two-stage detectors run their RPN and
    DETRs their positional encoding from it).

    Args:
        model (nn.Module): An mmengine ``BaseModel``.
    """

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model
        self.is_detector = _is_mmdet_detector(model)

    def forward(self, inputs: torch.Tensor):
        if not self.is_detector:
            return self.model._forward(inputs)
        from mmdet.structures import DetDataSample
        shape = tuple(int(s) for s in inputs.shape[-2:])
        samples = [
            DetDataSample(
                metainfo=dict(
                    img_shape=shape,
                    batch_input_shape=shape,
                    pad_shape=shape,
                    ori_shape=shape,
                    scale_factor=(1.0, 1.0))) for _ in range(len(inputs))
        ]
        return self.model._forward(inputs, samples)


def _is_mmdet_detector(model: nn.Module) -> bool:
    """Whether ``model`` is an mmdet detector (mmdet imported lazily)."""
    try:
        from mmdet.models.detectors import BaseDetector
    except ImportError:  # pragma: no cover - mmdet is a dependency
        return False
    return isinstance(model, BaseDetector)

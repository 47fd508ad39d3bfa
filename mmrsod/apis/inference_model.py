# Copyright (c) mmrsod contributors. All rights reserved.
"""Build the test-time network of a config, for analysis tools."""
from typing import Optional, Sequence, Tuple

import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope, init_default_scope
from mmengine.runner import load_checkpoint
from torch import nn

from mmrsod.utils.errors import InputError

__all__ = ['build_test_model', 'input_shape_from_cfg', 'NetworkForward']


def input_shape_from_cfg(cfg: Config,
                         shape: Optional[Sequence[int]] = None
                         ) -> Tuple[int, int]:
    """The (H, W) of the network input: ``shape`` or the preprocessor size.

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
    if size is None:
        return 224, 224
    return int(size[0]), int(size[1])


def build_test_model(cfg: Config,
                     checkpoint: Optional[str] = None,
                     strip_auxiliary: bool = True,
                     device: str = 'cpu') -> nn.Module:
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
    return model.to(device).eval()


class NetworkForward(nn.Module):
    """Wrap a model so that ``forward(inputs)`` runs ``model._forward``.

    ``_forward`` is the network without pre- and post-processing (mmengine's
    ``mode='tensor'``), which is what FLOPs and speed are reported for.

    Args:
        model (nn.Module): An mmengine ``BaseModel``.
    """

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, inputs: torch.Tensor):
        return self.model._forward(inputs)

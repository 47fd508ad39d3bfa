# Copyright (c) mmrsod contributors. All rights reserved.
"""Turn a training model into its deployable (test-time) form."""
import torch.nn as nn

__all__ = ['strip_auxiliary_modules']


def strip_auxiliary_modules(model: nn.Module) -> nn.Module:
    """Remove training-only modules from a model, in place.

    Calls ``model.strip_auxiliary()`` when the model defines it (e.g.
    :class:`SRALSegmentor`: SR head, TFGM and auxiliary heads); for other
    mmseg segmentors drops ``auxiliary_head``. Model wrappers (DDP) are
    unwrapped first. Used by FLOPs/benchmark tools so that they measure
    the network that runs at inference.

    Args:
        model (nn.Module): The model (or a wrapper with ``.module``).

    Returns:
        nn.Module: The same object, stripped.
    """
    target = getattr(model, 'module', model)
    strip = getattr(target, 'strip_auxiliary', None)
    if callable(strip):
        strip()
    elif getattr(target, 'auxiliary_head', None) is not None:
        target.auxiliary_head = None
    return model

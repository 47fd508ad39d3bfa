# Copyright (c) mmrsod contributors. All rights reserved.
"""mmrsod: remote-sensing vision methods as OpenMMLab extension modules.

Importing :mod:`mmrsod` (which ``custom_imports`` in every mmrsod config
does, through its sub-packages) installs two runtime fixes that every entry
point needs:

* checkpoints written by mmengine load under torch >= 2.6, whose
  ``torch.load`` defaults to ``weights_only=True``
  (:mod:`mmrsod.utils.checkpoint`);
* checkpoints and other files written through mmengine's local file backend
  are written atomically (:mod:`mmrsod.utils.atomic_io`).
"""
from .utils.atomic_io import register_atomic_local_backend
from .utils.checkpoint import register_checkpoint_loaders
from .version import __version__, version_info

register_checkpoint_loaders()
register_atomic_local_backend()

__all__ = ['__version__', 'version_info']

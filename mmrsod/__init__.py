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

Before importing mmengine it ignores setuptools' ``pkg_resources is
deprecated`` warning, which mmengine's and mmcv's imports trigger with the
setuptools < 81 they need (nothing a user can act on; see
:mod:`mmrsod.utils.warning_filters` for the tools' other filters).
"""
import warnings

warnings.filterwarnings(
    'ignore', message=r'pkg_resources is deprecated as an API')

from .utils.atomic_io import register_atomic_local_backend  # noqa: E402
from .utils.checkpoint import register_checkpoint_loaders  # noqa: E402
from .version import __version__, version_info  # noqa: E402

register_checkpoint_loaders()
register_atomic_local_backend()

__all__ = ['__version__', 'version_info']

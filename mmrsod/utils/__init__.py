# Copyright (c) mmrsod contributors. All rights reserved.
from .atomic_io import (AtomicLocalBackend, atomic_write_bytes,
                        register_atomic_local_backend)
from .checkpoint import (register_checkpoint_loaders, safe_checkpoint_globals,
                         trusted_torch_load)
from .cli import USER_ERROR_EXIT_CODE, report_input_errors
from .config_utils import check_cfg_options, load_config
from .dist_utils import setup_cpu_distributed
from .errors import ConfigError, InputError

__all__ = [
    'USER_ERROR_EXIT_CODE', 'report_input_errors', 'AtomicLocalBackend',
    'ConfigError', 'InputError', 'atomic_write_bytes', 'check_cfg_options',
    'load_config', 'register_atomic_local_backend',
    'register_checkpoint_loaders', 'safe_checkpoint_globals',
    'setup_cpu_distributed', 'trusted_torch_load'
]

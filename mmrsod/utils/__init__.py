# Copyright (c) mmrsod contributors. All rights reserved.
from .atomic_io import (AtomicLocalBackend, atomic_write_bytes,
                        register_atomic_local_backend)
from .checkpoint import (register_checkpoint_loaders, safe_checkpoint_globals,
                         trusted_torch_load)
from .cli import USER_ERROR_EXIT_CODE, report_input_errors
from .cli_args import SpaceKeepingDictAction, parse_cfg_value
from .config_utils import check_cfg_options, load_config
from .cpu_env import adapt_cfg_to_cpu
from .dist_utils import setup_cpu_distributed
from .errors import ConfigError, InputError, SODDataError
from .messages import short_list
from .norm_check import check_norm_batch_size
from .warning_filters import quiet_known_log_records, quiet_known_warnings

__all__ = [
    'adapt_cfg_to_cpu', 'quiet_known_log_records', 'quiet_known_warnings',
    'SpaceKeepingDictAction', 'parse_cfg_value', 'USER_ERROR_EXIT_CODE',
    'report_input_errors', 'AtomicLocalBackend', 'ConfigError', 'InputError',
    'atomic_write_bytes', 'check_cfg_options', 'check_norm_batch_size',
    'load_config', 'register_atomic_local_backend',
    'register_checkpoint_loaders', 'safe_checkpoint_globals',
    'setup_cpu_distributed', 'trusted_torch_load', 'SODDataError', 'short_list'
]

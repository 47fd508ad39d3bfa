# Copyright (c) mmrsod contributors. All rights reserved.
from .cli import USER_ERROR_EXIT_CODE, report_input_errors
from .inference_model import (NetworkForward, build_test_model,
                              input_shape_from_cfg)

__all__ = [
    'USER_ERROR_EXIT_CODE', 'NetworkForward', 'build_test_model',
    'input_shape_from_cfg', 'report_input_errors'
]

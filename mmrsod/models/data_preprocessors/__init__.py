# Copyright (c) mmrsod contributors. All rights reserved.
from .det_sr_data_preprocessor import DetSRDataPreprocessor

__all__ = ['DetSRDataPreprocessor']

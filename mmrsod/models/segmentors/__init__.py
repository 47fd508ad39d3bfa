# Copyright (c) mmrsod contributors. All rights reserved.
from .sral_segmentor import SRALSegmentor

__all__ = ['SRALSegmentor']

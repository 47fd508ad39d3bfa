# Copyright (c) mmrsod contributors. All rights reserved.
from .asrd_head import ASRDHead
from .tsdd_head import TSDDHead

__all__ = ['ASRDHead', 'TSDDHead']

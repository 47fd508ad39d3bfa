# Copyright (c) mmrsod contributors. All rights reserved.
from .structure_loss import StructureLoss
from .tfgm_loss import TFGMLoss

__all__ = ['StructureLoss', 'TFGMLoss']

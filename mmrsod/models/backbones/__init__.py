# Copyright (c) mmrsod contributors. All rights reserved.
from .sod_resnet import SODResNet

__all__ = ['SODResNet']

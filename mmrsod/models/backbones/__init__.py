# Copyright (c) mmrsod contributors. All rights reserved.
from .sod_resnet import SODResNet
from .tiny_vit import TinyViT

__all__ = ['SODResNet', 'TinyViT']

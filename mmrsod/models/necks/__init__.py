# Copyright (c) mmrsod contributors. All rights reserved.
from .ppm_neck import PPMNeck

__all__ = ['PPMNeck']

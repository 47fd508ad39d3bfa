# Copyright (c) mmrsod contributors. All rights reserved.

__all__ = []

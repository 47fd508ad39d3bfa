# Copyright (c) mmrsod contributors. All rights reserved.
from .saliency_score_head import SaliencyScoreHead

__all__ = ['SaliencyScoreHead']

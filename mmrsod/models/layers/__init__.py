# Copyright (c) mmrsod contributors. All rights reserved.
"""Building blocks of the SDCoNet detector (mmdet registry)."""
from .background_embedding import BackgroundEmbedding
from .saliency_filtered_encoder import (SaliencyFilteredEncoder,
                                        SelectiveDeformableEncoderLayer)
from .saliency_score_head import SaliencyScoreHead

__all__ = [
    'BackgroundEmbedding', 'SaliencyFilteredEncoder',
    'SelectiveDeformableEncoderLayer', 'SaliencyScoreHead'
]

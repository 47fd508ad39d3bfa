# Copyright (c) mmrsod contributors. All rights reserved.
from .color_space import rgb_to_ycbcr, ycbcr_to_rgb
from .deploy_model import (NetworkForward, build_test_model,
                           input_shape_from_cfg, prepare_fast_inference)
from .ede import add_external_disturbance, external_disturbance
from .edsr_block import EDSRBlock
from .feature_cache import CacheKey, FeatureCache, make_cache_key
from .fuse_conv_bn import fuse_conv_bn
from .mobile_sam_encoder import (MobileSAMEncoder, extract_image_encoder_state,
                                 resize_longest_side_shape)
from .saliency_targets import DEFAULT_SALIENCY_SIGMA, gaussian_saliency_targets
from .sample_utils import stack_gt_sem_seg, stack_gt_sr
from .token_selection import (TokenSelection, hierarchical_token_selection,
                              selected_token_counts)

__all__ = [
    'EDSRBlock', 'rgb_to_ycbcr', 'ycbcr_to_rgb', 'stack_gt_sem_seg',
    'stack_gt_sr', 'NetworkForward', 'build_test_model', 'fuse_conv_bn',
    'input_shape_from_cfg', 'prepare_fast_inference', 'TokenSelection',
    'hierarchical_token_selection', 'selected_token_counts',
    'gaussian_saliency_targets', 'DEFAULT_SALIENCY_SIGMA', 'CacheKey',
    'FeatureCache', 'make_cache_key', 'MobileSAMEncoder',
    'extract_image_encoder_state', 'resize_longest_side_shape',
    'external_disturbance', 'add_external_disturbance'
]

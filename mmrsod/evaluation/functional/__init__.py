# Copyright (c) mmrsod contributors. All rights reserved.
from .attributes import (ORSI4199_ATTRIBUTES, attribute_names,
                         attribute_scores, check_attribute_coverage,
                         load_attribute_file)
from .saliency_curves import save_sod_curves, sod_curves_to_dict
from .saliency_map_io import read_gray_map, write_gray_png
from .sod_statistics import (FMEASURE_BETA2, SOD_METRIC_KEYS,
                             WEIGHTED_FMEASURE_BETA2, aggregate_sod_statistics,
                             prepare_sod_pair, quantize_prediction,
                             resize_prediction, sod_image_statistics)
from .sral_protocol import (SRAL_NUM_THRESHOLDS, SRAL_SIZE,
                            sral_fmeasure_curve, sral_image_statistics,
                            sral_minmax, sral_pr_curves, sral_prepare_pair,
                            sral_saliency_map, sral_smeasure, sral_thresholds)
from .structural_similarity import global_ssim

__all__ = [
    'ORSI4199_ATTRIBUTES', 'attribute_names', 'attribute_scores',
    'check_attribute_coverage', 'load_attribute_file', 'save_sod_curves',
    'sod_curves_to_dict', 'read_gray_map', 'write_gray_png', 'FMEASURE_BETA2',
    'SOD_METRIC_KEYS', 'WEIGHTED_FMEASURE_BETA2', 'aggregate_sod_statistics',
    'prepare_sod_pair', 'quantize_prediction', 'resize_prediction',
    'sod_image_statistics', 'SRAL_NUM_THRESHOLDS', 'SRAL_SIZE',
    'sral_fmeasure_curve', 'sral_image_statistics', 'sral_minmax',
    'sral_pr_curves', 'sral_prepare_pair', 'sral_saliency_map',
    'sral_smeasure', 'sral_thresholds', 'global_ssim'
]

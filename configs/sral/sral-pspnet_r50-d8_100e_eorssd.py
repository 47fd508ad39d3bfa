# Table VII on EORSSD: PSPNet (mmseg's head, ResNetV1c-50-D8) trained inside the
# SRAL framework: 224 px LR input -> 448 px map, ASRD + TFGM (training only).
_base_ = [
    '../_base_/models/pspnet-sral_r50-d8.py', '../_base_/datasets/eorssd.py',
    '../_base_/default_runtime.py', '../_base_/schedules/sral_sgd_poly_100e.py'
]

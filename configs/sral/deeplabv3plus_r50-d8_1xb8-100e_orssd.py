# Table VII on ORSSD: plain DeepLabv3+ (mmseg's head, ResNetV1c-50-D8) at
# 224 px input, the logits resized to the 448 px output; no ASRD, no TFGM.
_base_ = [
    '../_base_/models/deeplabv3plus_r50-d8-sod.py',
    '../_base_/datasets/orssd.py', '../_base_/default_runtime.py',
    '../_base_/schedules/sral_sgd_poly_100e.py'
]

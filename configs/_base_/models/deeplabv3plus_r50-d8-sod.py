# DeepLabv3+ (mmseg's ResNetV1c-50-D8 + DepthwiseSeparableASPPHead) as a
# saliency model (paper Table VII, the plain rows): 224 px LR input, its
# 1/4 logits resized to the 448 px output, one sigmoid channel, BCE + IoU
# loss (configs/_base_/models/sod_r50-d8.py). The SRAL
# version adds ASRD and TFGM (configs/_base_/models/asrd_r50-d8.py).
_base_ = ['mmseg::_base_/models/deeplabv3plus_r50-d8.py', './sod_r50-d8.py']
model = {{_base_.sod_r50_d8}}

# IFKD student: Faster R-CNN MobileNetV2-FPN (FPN 256 channels).
# out_indices (1, 2, 4, 7) = layer2 (24 ch, stride 4), layer3 (32 ch, 8),
# layer5 (96 ch, 16) and the last 1x1 conv (1280 ch, 32): the four strides of
# the ResNet-FPN it replaces. BN statistics are frozen (norm_eval=True) as in
# the ResNet configs: batch 2 per device is too small to estimate them.
_base_ = './faster-rcnn_r50_fpn_1xb2-12e_nwpu-lr2x.py'

model = dict(
    backbone=dict(
        _delete_=True,
        type='MobileNetV2',
        out_indices=(1, 2, 4, 7),
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=True,
        init_cfg=dict(
            type='Pretrained', checkpoint='open-mmlab://mmdet/mobilenet_v2')),
    neck=dict(in_channels=[24, 32, 96, 1280]))

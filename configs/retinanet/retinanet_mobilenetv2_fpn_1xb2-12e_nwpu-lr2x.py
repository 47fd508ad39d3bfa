# IFKD student: RetinaNet MobileNetV2-FPN (FPN 256 channels); the FPN starts
# at the stride-8 input (start_level=1) as for ResNet. Backbone as in the
# Faster R-CNN MobileNetV2 student (out_indices at strides 4, 8, 16, 32).
_base_ = './retinanet_r50_fpn_1xb2-12e_nwpu-lr2x.py'

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

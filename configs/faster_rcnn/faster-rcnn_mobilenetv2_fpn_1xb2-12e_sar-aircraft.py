# IFKD student: Faster R-CNN MobileNetV2-FPN on SAR-AIRcraft-1.0 (7 aircraft
# classes): the backbone and neck change of
# ./faster-rcnn_mobilenetv2_fpn_1xb2-12e_nwpu-lr2x.py on this data set's R50
# config (tests/test_configs/test_ifkd_configs.py checks that they stay equal).
_base_ = './faster-rcnn_r50_fpn_1xb2-12e_sar-aircraft.py'

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

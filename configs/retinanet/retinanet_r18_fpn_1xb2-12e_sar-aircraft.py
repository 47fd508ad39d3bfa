# IFKD student: RetinaNet ResNet-18-FPN on SAR-AIRcraft-1.0 (7 aircraft
# classes): the backbone and neck change of
# ./retinanet_r18_fpn_1xb2-12e_nwpu-lr2x.py on this data set's R50 config
# (tests/test_configs/test_ifkd_configs.py checks that they stay equal).
_base_ = './retinanet_r50_fpn_1xb2-12e_sar-aircraft.py'

model = dict(
    backbone=dict(
        depth=18,
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet18')),
    neck=dict(in_channels=[64, 128, 256, 512]))

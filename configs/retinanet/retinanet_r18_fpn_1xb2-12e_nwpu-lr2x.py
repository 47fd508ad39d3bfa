# IFKD student: RetinaNet ResNet-18-FPN (FPN 256 channels).
_base_ = './retinanet_r50_fpn_1xb2-12e_nwpu-lr2x.py'

model = dict(
    backbone=dict(
        depth=18,
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet18')),
    neck=dict(in_channels=[64, 128, 256, 512]))

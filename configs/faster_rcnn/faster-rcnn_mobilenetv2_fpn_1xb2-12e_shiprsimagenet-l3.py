# IFKD student: Faster R-CNN MobileNetV2-FPN (FPN 256 channels) on
# ShipRSImageNet level 3 (50 ship types): this data set's ResNet-50 config with
# the backbone and FPN inputs of ../_base_/models/mobilenetv2_fpn.py (the same
# for every data set).
_base_ = [
    './faster-rcnn_r50_fpn_1xb2-12e_shiprsimagenet-l3.py',
    '../_base_/models/mobilenetv2_fpn.py'
]

model = dict(
    backbone={{_base_.mobilenetv2_backbone}},
    neck=dict(in_channels={{_base_.mobilenetv2_fpn_in_channels}}))

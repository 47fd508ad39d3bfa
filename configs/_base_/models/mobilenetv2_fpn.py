# The MobileNetV2 backbone of the IFKD students and its FPN inputs, shared by
# the plain RetinaNet / Faster R-CNN MobileNetV2 configs of every data set. A
# config built on a ResNet-50-FPN detector config takes them as
#   model = dict(backbone={{_base_.mobilenetv2_backbone}},
#                neck=dict(in_channels={{_base_.mobilenetv2_fpn_in_channels}}))
# out_indices (1, 2, 4, 7) = layer2 (24 ch, stride 4), layer3 (32 ch, 8),
# layer5 (96 ch, 16) and the last 1x1 conv (1280 ch, 32): the four strides of
# the ResNet-FPN it replaces. BN statistics are frozen (norm_eval=True) as in
# the ResNet configs: batch 2 per device is too small to estimate them.
mobilenetv2_backbone = dict(
    _delete_=True,  # replaces the ResNet-50 settings of the detector config
    type='MobileNetV2',
    out_indices=(1, 2, 4, 7),
    norm_cfg=dict(type='BN', requires_grad=True),
    norm_eval=True,
    init_cfg=dict(
        type='Pretrained', checkpoint='open-mmlab://mmdet/mobilenet_v2'))
mobilenetv2_fpn_in_channels = [24, 32, 96, 1280]

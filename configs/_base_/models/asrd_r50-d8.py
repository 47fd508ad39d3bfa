# What SRAL adds to an mmseg ResNetV1c-50-D8 model (PSPNet, DeepLabv3+;
# paper Table VII, "(Ours)" rows): ASRD on the stride-4 layer1 and the last
# stage, and TFGM. A child of a plain config uses it as
#   model = dict(sr_head={{_base_.asrd_r50_d8}}, tfgm=dict(type='TFGMLoss'))
asrd_r50_d8 = dict(
    type='ASRDHead',
    in_channels=(256, 2048),  # ResNetV1c layer1 (1/4), layer4 (1/8)
    in_index=(0, 3),
    norm_cfg=dict(type='BN', requires_grad=True),
    # the authors' ASRD resizes with align_corners=True; the mmseg decode
    # head (and so the segmentor's final resizes) keeps mmseg's False
    align_corners=True,
    loss_weight=100.0)

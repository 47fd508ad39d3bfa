# PSPNet (mmseg's ResNetV1c-50-D8 + PSPHead) inside the SRAL framework
# (paper Table VII, "PSPNet (Ours)"): 224 px LR input, 1/8 logits resized to
# the 448 px output, ASRD on (stride-4 layer1, last stage) and TFGM.
# "PSPNet" at 224 without SRAL: set model.sr_head=None, model.tfgm=None.
_base_ = 'mmseg::_base_/models/pspnet_r50-d8.py'
norm_cfg = dict(type='BN', requires_grad=True)
data_preprocessor = dict(
    _delete_=True,
    type='SegDataPreProcessor',
    mean=[87.0, 96.85, 91.37],
    std=[29.27, 26.57, 25.25],
    bgr_to_rgb=True,
    size=(224, 224),
    pad_val=0,
    seg_pad_val=0)
model = dict(
    type='SRALSegmentor',
    data_preprocessor=data_preprocessor,
    out_scale=2,
    backbone=dict(norm_cfg=norm_cfg),
    decode_head=dict(
        num_classes=2,
        out_channels=1,
        threshold=0.5,
        norm_cfg=norm_cfg,
        loss_decode=dict(
            _delete_=True, type='StructureLoss', loss_name='loss_sod')),
    auxiliary_head=None,
    sr_head=dict(
        type='ASRDHead',
        in_channels=(256, 2048),  # ResNetV1c layer1 (1/4), layer4 (1/8)
        in_index=(0, 3),
        norm_cfg=norm_cfg,
        # the authors' ASRD resizes with align_corners=True; the mmseg decode
        # head (and so the segmentor's final resizes) keeps mmseg's False
        align_corners=True,
        loss_weight=100.0),
    tfgm=dict(type='TFGMLoss'),
    test_cfg=dict(mode='whole', with_sr=False))

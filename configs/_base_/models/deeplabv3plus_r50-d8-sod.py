# DeepLabv3+ (mmseg's ResNetV1c-50-D8 + DepthwiseSeparableASPPHead) as a
# saliency model (paper Table VII, the plain rows): 224 px LR input, its
# 1/4 logits resized to the 448 px output (model.out_scale; mmseg's head has no
# out_scale of its own), one sigmoid channel, BCE + IoU loss. The SRAL
# version adds ASRD and TFGM (configs/_base_/models/asrd_r50-d8.py).
_base_ = [
    'mmseg::_base_/models/deeplabv3plus_r50-d8.py',
    './sod_data_preprocessor.py'
]
norm_cfg = dict(type='BN', requires_grad=True)
data_preprocessor = {{_base_.sod_data_preprocessor}}
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
    test_cfg=dict(mode='whole', with_sr=False))

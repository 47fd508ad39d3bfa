# What turns an mmseg ResNetV1c-50-D8 segmentation model (PSPNet,
# DeepLabv3+) into a saliency model (paper Table VII, the plain rows): the
# SOD input normalisation at 224 px, its logits resized to the 448 px output
# (model.out_scale; mmseg's heads have no out_scale of their own), one
# sigmoid channel and the BCE + IoU loss. A model base uses it as
#   model = {{_base_.sod_r50_d8}}
_base_ = './sod_data_preprocessor.py'
sod_r50_d8 = dict(
    type='SRALSegmentor',
    data_preprocessor={{_base_.sod_data_preprocessor}},
    out_scale=2,
    backbone=dict(norm_cfg=dict(type='BN', requires_grad=True)),
    decode_head=dict(
        num_classes=2,
        out_channels=1,
        threshold=0.5,
        norm_cfg=dict(type='BN', requires_grad=True),
        loss_decode=dict(
            _delete_=True, type='StructureLoss', loss_name='loss_sod')),
    auxiliary_head=None,
    test_cfg=dict(mode='whole', with_sr=False))

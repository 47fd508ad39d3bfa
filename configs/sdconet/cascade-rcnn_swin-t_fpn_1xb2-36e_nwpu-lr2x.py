# Cascade R-CNN Swin-T FPN on NWPU VHR-10 tiles, 2x LR input (256 px): the
# baseline of SDCoNet's Table V (Cascade R-CNN without the SR branch).
# Swin-T as in ../dino/dino-4scale_swin-t_1xb2-12e_nwpu-lr2x.py, but all
# four stages feed the FPN (in_channels [96, 192, 384, 768]; the SR variant
# feeds the same four maps to its SR decoder). SDCoNet's optimiser and
# schedule: AdamW lr 1e-4, weight decay 1e-4, gradient clipping 0.1,
# backbone lr x 0.1, batch 2, 36 epochs, MultiStepLR x 0.1 at epoch 30, no
# augmentation (the data base's flip has prob 0).
_base_ = '../cascade_rcnn/cascade-rcnn_r50_fpn_1xb2-12e_nwpu-lr2x.py'

pretrained = 'https://github.com/SwinTransformer/storage/releases/download/v1.0.0/swin_tiny_patch4_window7_224.pth'  # noqa
model = dict(
    backbone=dict(
        _delete_=True,
        type='SwinTransformer',
        pretrain_img_size=224,
        embed_dims=96,
        depths=[2, 2, 6, 2],
        num_heads=[3, 6, 12, 24],
        window_size=7,
        mlp_ratio=4,
        qkv_bias=True,
        qk_scale=None,
        drop_rate=0.,
        attn_drop_rate=0.,
        drop_path_rate=0.2,
        patch_norm=True,
        out_indices=(0, 1, 2, 3),
        with_cp=False,
        convert_weights=True,
        init_cfg=dict(type='Pretrained', checkpoint=pretrained)),
    neck=dict(in_channels=[96, 192, 384, 768]))

optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=0.0001, weight_decay=0.0001),
    clip_grad=dict(max_norm=0.1, norm_type=2),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}))
max_epochs = 36
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_epochs,
        by_epoch=True,
        milestones=[30],
        gamma=0.1)
]
auto_scale_lr = dict(enable=False, base_batch_size=2)

# DINO-4scale Swin-T on NWPU VHR-10 tiles, 2x LR input (256 px): the SDCoNet
# baseline (mmdet 3.3 ships no Swin-T DINO). Swin-T as in mmdet's
# retinanet_swin-t-p4-w7_fpn_1x_coco.py; optimiser and data as the R50
# config (the SDCoNet paper's AdamW 1e-4 / wd 1e-4 / clip 0.1 / backbone
# lr x 0.1 / MultiStepLR / batch 2).
_base_ = './dino-4scale_r50_1xb2-12e_nwpu-lr2x.py'

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
        out_indices=(1, 2, 3),
        with_cp=False,
        convert_weights=True,
        init_cfg=dict(type='Pretrained', checkpoint=pretrained)),
    neck=dict(in_channels=[192, 384, 768]))

# SRAL (Liu et al., "Distilling Knowledge from Super Resolution for Efficient
# Remote Sensing Salient Object Detection", TGRS 2023): 224 px LR input ->
# 448 px saliency map. Shared encoder SODResNet-50 + PPM (f1..f6), TSDD
# saliency decoder, ASRD super-resolution decoder and TFGM distillation
# loss; ASRD and TFGM are training-only (SRALSegmentor.strip_auxiliary).
# Module defaults follow the authors' released code; see each module's
# docstring for the paper variants.
_base_ = './sod_data_preprocessor.py'
norm_cfg = dict(type='BN', requires_grad=True)
data_preprocessor = {{_base_.sod_data_preprocessor}}
# ImageNet ResNet-50 (torchvision IMAGENET1K_V1, what 'torchvision://resnet50'
# resolves to); the direct URL needs no torchvision install.
pretrained_backbone = ('https://download.pytorch.org/models/'
                       'resnet50-0676ba61.pth')
model = dict(
    type='SRALSegmentor',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='SODResNet',
        depth=50,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        strides=(1, 2, 2, 2),
        dilations=(1, 1, 1, 1),
        style='pytorch',
        deep_stem=False,
        norm_cfg=norm_cfg,
        norm_eval=False,
        init_cfg=dict(type='Pretrained', checkpoint=pretrained_backbone)),
    # f6 = PPM(f5): 3x3 reduction to 256, pools (1, 2, 3, 6) (code; paper
    # eq. 3: 1..4), conv+BN+PReLU everywhere
    neck=dict(
        type='PPMNeck',
        in_channels=2048,
        channels=256,
        pool_scales=(1, 2, 3, 6),
        in_index=-1,
        concat_input=False,
        norm_cfg=norm_cfg,
        act_cfg=dict(type='PReLU'),
        align_corners=True),
    decode_head=dict(
        type='TSDDHead',
        in_channels=(64, 256, 512, 1024, 2048, 256),
        in_index=(0, 1, 2, 3, 4, 5),
        channels=64,
        fuse_channels=256,
        up_channels=128,
        pass_fused_feature=True,  # code path; False = paper eqs. 4-5
        use_transposed_conv=True,
        out_scale=2,  # output/input size; the segmentor reads it here
        side_weights=(1.0, 1.0, 0.5, 0.25, 0.125),  # eq. 15
        # at test time compute p1 only: the same map, without the unused
        # side outputs p2..p5 (the authors' code computes and drops them)
        eval_final_only=True,
        num_classes=2,
        out_channels=1,
        threshold=0.5,
        dropout_ratio=0.0,
        norm_cfg=norm_cfg,
        act_cfg=dict(type='ReLU'),
        # bilinear resizes with align_corners=True as the authors (feature
        # passing, side maps; the segmentor's final resizes read it too);
        # False = mmseg's convention
        align_corners=True,
        loss_decode=dict(type='StructureLoss', loss_name='loss_sod')),
    sr_head=dict(
        type='ASRDHead',
        in_channels=(256, 256),  # (f2, f6)
        in_index=(1, 5),
        low_channels=64,
        fuse_channels=(256, 128),
        fuse_dropouts=(0.5, 0.1),
        mid_channels=64,
        up_channels=(64, 32, 16),
        input_residual=False,  # eq. 7's residual is unused in the code
        align_corners=True,  # f6 -> size of f2, as the authors
        norm_cfg=norm_cfg,
        # lambda_2; the authors' weight-1 first epoch is SRLossWarmupHook
        # (custom_hooks of the 100-epoch schedule)
        loss_weight=100.0),
    tfgm=dict(
        type='TFGMLoss',
        proj_kernel_size=1,
        pool_size=16,
        affinity_norm=None,  # code; paper eq. 9: 'l1'
        # 8 x per-sample mean: the code's sum over its batch of 8, the
        # same for any process layout; paper: reference_batch_size=1
        batch_reduction='mean',
        reference_batch_size=8,
        use_similar=True,
        use_consist=True,
        loss_weight=1.0),  # lambda_3
    train_cfg=dict(),
    test_cfg=dict(mode='whole', with_sr=False))

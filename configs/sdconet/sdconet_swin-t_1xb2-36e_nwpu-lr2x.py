# SDCoNet (full model, Tables II/VI/VII/IX "ours") on the NWPU VHR-10 LR
# tiles (256 px -> 2x SR target 512 px): DINO Swin-T + saliency score
# prediction with learnable top-down fusion + joint (scale-level and
# layer-wise) query token filtering + background embedding + the Swin U-Net
# SR branch on the shared encoder, trained with gradient routing (SR off
# for the first `detection_epochs`, then at `rho` x the detector's lr).
# Every choice the paper leaves open: configs/sdconet/README.md.
_base_ = './dino-4scale_swin-t_1xb2-36e_nwpu-lr2x.py'

rho = 0.5  # SR-branch lr / detector lr in stage 2 (eq. 9; 0 < rho < 1)
detection_epochs = 16  # T_det: stage 1 = epochs 0..15 (Alg. 1)

model = dict(
    type='SDCoNet',
    # also hands each sample's HR tile to the SR loss as gt_sr, [0, 1] RGB
    data_preprocessor=dict(
        type='DetSRDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=1),
    # all four Swin stages: (96@s4, 192@s8, 384@s16, 768@s32) feed the SR
    # decoder; the detector's neck takes outputs (1, 2, 3) as in DINO Swin-T
    backbone=dict(out_indices=(0, 1, 2, 3)),
    neck_in_indices=(1, 2, 3),
    # `_delete_=True`: the parent's value is None (a dict cannot be merged
    # into None)
    saliency_head=dict(
        _delete_=True,
        type='SaliencyScoreHead',
        embed_dims=256,
        num_levels=4,
        alpha=0.5,  # eq. 6 top-down fusion weight, init 0.5 ...
        learnable_alpha=True,  # ... and learnt (Table VII "learnable")
        strides=(8, 16, 32, 64),
        # eq. 7 Gaussian: 1 / sqrt(2 ln 2), target 0.5 at the box's edge
        # midpoints (offsets relative to the box half-extent)
        sigma=0.8493218002880191,
        loss=dict(
            type='FocalLoss',
            use_sigmoid=True,
            alpha=0.25,
            gamma=2.0,
            loss_weight=2.0)),  # beta_sa
    # eq. 8: beta per pyramid level (fine -> coarse), gamma per encoder
    # layer; both set = joint filtering (Table IX)
    level_filter_ratio=(0.6, 0.8, 1.0, 1.0),
    layer_filter_ratio=(1.0, 0.8, 0.6, 0.6, 0.4, 0.2),
    background_embedding=dict(_delete_=True, max_size=200),
    sr_head=dict(
        _delete_=True,
        type='SwinUNetSRHead',
        in_channels=(96, 192, 384, 768),
        depths=(2, 2, 2),  # Swin blocks at s16, s8, s4
        num_heads=(12, 6, 3),
        window_size=7,
        mlp_ratio=2.0,
        dec_channels=32,
        upscale=2,  # = lr_scale of the data: HR tile / LR input
        loss_sr=dict(type='L1Loss', loss_weight=5.0)))  # beta_sr

# the SR parameters are in the optimiser from the start (a branch frozen by
# requires_grad=False when the optimiser is built could never join it):
# stage 1 gives them no gradient, stage 2 trains them at rho x lr. The
# longest matching key wins, so Swin's norm0 (SR-only) gets rho, not 0.1.
optim_wrapper = dict(
    paramwise_cfg=dict(
        custom_keys={
            'backbone': dict(lr_mult=0.1),
            'backbone.norm0': dict(lr_mult=rho),
            'sr_head': dict(lr_mult=rho),
        }))
# switches the stage from runner.epoch before every epoch (resume works in
# either stage)
custom_hooks = [
    dict(type='GradientRoutingHook', detection_epochs=detection_epochs)
]
# stage 1 runs no SR branch: its parameters get no gradient under DDP
find_unused_parameters = True

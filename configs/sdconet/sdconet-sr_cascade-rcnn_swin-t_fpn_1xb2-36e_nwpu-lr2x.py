# Cascade R-CNN Swin-T FPN + SDCoNet's SR branch on NWPU VHR-10 tiles, 2x
# LR input (256 px): SDCoNet's Table V. The Swin-T encoder's four stages
# feed both the FPN and the Swin U-Net SR decoder, which reconstructs the
# 512 px HR tile (L1 on [0, 1] images x 5, masked to the valid region).
# Gradient routing (Alg. 1): epochs 0-15 detection only (SR branch frozen,
# not run), epochs 16-35 detection + SR with the SR lr = rho x the
# detector's, rho = 0.5. The SR branch is not run at test time.
_base_ = './cascade-rcnn_swin-t_fpn_1xb2-36e_nwpu-lr2x.py'

rho = 0.5  # SR lr / detector lr in stage 2
model = dict(
    type='CascadeRCNNSR',
    # DetDataPreprocessor + the [0, 1] HR target gt_sr of each sample
    data_preprocessor=dict(type='DetSRDataPreprocessor'),
    # all four backbone maps go to the FPN (neck_in_indices=None), so the
    # SR branch is the head alone
    sr_head=dict(
        type='SwinUNetSRHead',
        in_channels=(96, 192, 384, 768),
        depths=(2, 2, 2),
        num_heads=(12, 6, 3),
        window_size=7,
        mlp_ratio=2.0,
        dec_channels=32,
        upscale=_base_.lr_scale,
        loss_sr=dict(type='L1Loss', loss_weight=5.0)))

# the SR head is in the optimizer from the start (lr x rho); the hook
# freezes it in stage 1 (mmengine's optimizer constructor would leave out
# parameters built with requires_grad=False for good)
optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={
        'sr_head': dict(lr_mult=rho),
        'backbone': dict(lr_mult=0.1)
    }))
custom_hooks = [dict(type='GradientRoutingHook', detection_epochs=16)]
# the SR head gets no gradient in stage 1
find_unused_parameters = True

# SRAL-R50 with every module switched to the paper's description instead
# of the authors' released code (which produced the published maps; see
# sral_r50.py): PPM bins 1..4 (eq. 3), TAB path t_i = TAB(t_{i+1}, f_i) with
# 64-ch TABs (eqs. 4-5), conv+BN+PReLU for every "C", ASRD f_mid from 3x3
# convs (eq. 6), widths 64 -> 32 -> 16 -> 3 and the upsampled-input
# residual (eq. 7), TFGM with a 3x3 SOD projection, L1-normalised affinity
# (eq. 9) and a batch mean.
_base_ = './sral_r50.py'
prelu = dict(type='PReLU')
model = dict(
    neck=dict(pool_scales=(1, 2, 3, 4)),
    decode_head=dict(
        pass_fused_feature=False,
        fuse_channels=64,
        up_channels=64,
        channels=64,
        act_cfg=prelu),
    sr_head=dict(
        low_kernel_size=3,
        fuse_channels=(64, ),
        fuse_dropouts=(0.0, ),
        mid_kernel_size=3,
        mid_with_norm_act=True,
        up_channels=(32, 16, 3),
        pred_kernel_size=3,
        act_cfg=prelu,
        input_residual=True),
    tfgm=dict(
        proj_kernel_size=3,
        affinity_norm='l1',
        batch_reduction='mean',
        reference_batch_size=1))

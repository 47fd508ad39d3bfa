# SRAL with a ResNet-18 encoder: a small, fast variant (not in the paper).
# f1..f5 = 64/64/128/256/512 channels; PPM and TSDD widths halved.
_base_ = './sral_r50.py'
model = dict(
    backbone=dict(
        depth=18,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.pytorch.org/models/'
            'resnet18-f37072fd.pth')),
    neck=dict(in_channels=512, channels=128),
    decode_head=dict(
        in_channels=(64, 64, 128, 256, 512, 128),
        fuse_channels=128,
        up_channels=64,
        channels=32),
    sr_head=dict(in_channels=(64, 128), fuse_channels=(128, 64)))

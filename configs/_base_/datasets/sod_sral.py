# Remote-sensing SOD data for SRAL: the network sees the 224 px low-resolution
# (LR) image, made by 2x bicubic downsampling of the 448 px high-resolution
# (HR) image; training targets are the HR mask and the HR image in YCbCr
# (SR branch). Test GT stays at its original resolution (metrics at GT size).
# Per-dataset configs (orssd.py, eorssd.py, orsi4199.py) set root and layout.
dataset_type = 'SODDataset'
data_root = 'data/EORSSD'
hr_size = 448

# As the authors: flip and rotate the original image (canvas kept: on a
# non-square image 90/270 degrees cut the ends and leave black bars), then
# resize. Ours: RandomFlipRotate(rotate_mode='exact') after SODResize.
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadSODAnnotations'),
    dict(type='RandomFlipRotate', scheme='sral', rotate_mode='canvas'),
    # soft (bilinear) 448 label, as the SRAL authors
    dict(type='SODResize', scale=hr_size, soft_label=True),
    # 2x bicubic (cv2, no anti-aliasing) from the 448 image; the authors'
    # LR input: SODResize(keep_original=True) and GenerateLRInput(
    # interpolation='bilinear', backend='pillow', source='original')
    dict(
        type='GenerateLRInput',
        scale_factor=0.5,
        interpolation='bicubic',
        make_sr_target=True),
    dict(type='PackSODInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='SODResize', scale=hr_size),
    dict(type='GenerateLRInput', scale_factor=0.5, make_sr_target=False),
    dict(type='LoadSODAnnotations'),
    dict(type='PackSODInputs'),
]
# the SR branch evaluated (SRMetric) needs the HR target at test time too
sr_test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='SODResize', scale=hr_size),
    dict(type='GenerateLRInput', scale_factor=0.5, make_sr_target=True),
    dict(type='LoadSODAnnotations'),
    dict(type='PackSODInputs'),
]
# the 448 px input baseline: no LR input, no SR target
hr_train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadSODAnnotations'),
    dict(type='RandomFlipRotate', scheme='sral', rotate_mode='canvas'),
    dict(type='SODResize', scale=hr_size, soft_label=True),
    dict(type='PackSODInputs'),
]
hr_test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='SODResize', scale=hr_size),
    dict(type='LoadSODAnnotations'),
    dict(type='PackSODInputs'),
]

train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        layout='eorssd',
        split='train',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        layout='eorssd',
        split='test',
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='SODMetric')
test_evaluator = val_evaluator

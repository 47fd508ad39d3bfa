# NWPU VHR-10 split into 512 px tiles (tools/dataset_converters/nwpu_vhr10.py
# then split_tiles.py --tile 512 --overlap 100), trained and tested on the
# 2x bicubic-downsampled 256 px LR tile with the 512 px HR tile kept as
# `gt_sr` (the SDCoNet protocol: fixed input size, no augmentation).
#
# Predictions are mapped back to the HR frame (DownsampleToLR composes
# `scale_factor`, the models predict with rescale=True), so COCO areas and
# APs/m/l are those of the 512 px HR tiles.
#
# Flip switch: the RandomFlip below has prob=0.0 (a no-op, the paper's
# protocol). Turn it on with
#   --cfg-options train_dataloader.dataset.pipeline.2.prob=0.5
# or in a child config (`train_pipeline[2]['prob'] = 0.5` after reading
# `_base_.train_pipeline`). It flips the HR image and its boxes before
# DownsampleToLR, so the LR input and the `gt_sr` target stay aligned
# (PackDetSRInputs refuses a flip placed after DownsampleToLR).
dataset_type = 'NWPUVHR10Dataset'
data_root = 'data/nwpu_vhr10_split/'
# tile file_name in the tiler's json is relative to data_root
# ('images/<stem>_<x0>_<y0>.png')
data_prefix = dict(img='')
backend_args = None
tile_size = 512  # HR tiles (split_tiles.py --tile 512); not resized
lr_scale = 2  # HR 512 px tiles -> LR 256 px network input

train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='RandomFlip', prob=0.0),  # the flip switch (see above)
    dict(type='DownsampleToLR', scale=lr_scale),
    dict(type='PackDetSRInputs'),
]
# test: GT boxes are loaded after the downsampling, so they stay in the HR
# frame in which predictions are returned and `--show-dir` draws both on
# the HR tile (the metric reads its GT from `ann_file` either way); no HR
# copy is kept (`keep_hr=False`): nothing uses `gt_sr` at test time
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='DownsampleToLR', scale=lr_scale, keep_hr=False),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetSRInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor')),
]
train_dataloader = dict(
    batch_size=2,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='nwpu_vhr10_train.json',
        data_prefix=data_prefix,
        filter_cfg=dict(filter_empty_gt=True, min_size=0),
        pipeline=train_pipeline,
        backend_args=backend_args))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='nwpu_vhr10_val.json',
        data_prefix=data_prefix,
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
test_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='nwpu_vhr10_test.json',
        data_prefix=data_prefix,
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))

val_evaluator = dict(
    type='CocoPRCurveMetric',
    ann_file=data_root + 'nwpu_vhr10_val.json',
    metric='bbox',
    classwise=True,
    format_only=False,
    pr_curve_dir=None,  # a folder: one PR-curve PNG per class
    backend_args=backend_args)
test_evaluator = dict(
    type='CocoPRCurveMetric',
    ann_file=data_root + 'nwpu_vhr10_test.json',
    metric='bbox',
    classwise=True,
    format_only=False,
    pr_curve_dir=None,  # a folder: one PR-curve PNG per class
    backend_args=backend_args)

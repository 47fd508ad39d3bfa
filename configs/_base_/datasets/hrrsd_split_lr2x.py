# TGRS-HRRSD ("HRSSD" in the SDCoNet paper) split into 1024 px tiles with
# 200 px overlap (the SDCoNet protocol, Sec. IV-A), trained and tested on
# the 2x bicubic-downsampled 512 px LR tile with the 1024 px HR tile kept
# as `gt_sr` (fixed input size, no augmentation). Preparation
# (tools/dataset_converters/README.md and TILING.md):
#
#   python tools/dataset_converters/hrrsd.py data/TGRS-HRRSD-Dataset \
#       data/hrrsd
#   for s in train val test; do
#     python tools/dataset_converters/split_tiles.py \
#         data/hrrsd/hrrsd_$s.json data/TGRS-HRRSD-Dataset data/hrrsd_split \
#         --tile 1024 --overlap 200 --nproc 2
#   done
#
# -> data/hrrsd_split/{images/, hrrsd_{train,val,test}.json}: the official
# train / val / test lists (5401 / 5417 / 10943 images before tiling;
# IMG_ROOT is the same SRC_ROOT given to hrrsd.py, its `file_name`s are
# relative to it). A side under 1024 px is zero-padded right/bottom.
#
# Predictions are mapped back to the HR frame (DownsampleToLR composes
# `scale_factor`), so COCO areas and APs/m/l are those of the 1024 px HR
# tiles. The RandomFlip below is the flip switch of
# configs/_base_/datasets/nwpu_vhr10_lr2x.py (prob=0.0: off).
dataset_type = 'HRRSDDataset'
data_root = 'data/hrrsd_split/'
# tile file_name in the tiler's json is relative to data_root
# ('images/<stem>_<x0>_<y0>.png')
data_prefix = dict(img='')
backend_args = None
tile_size = 1024  # HR tiles (split_tiles.py --tile 1024); not resized
lr_scale = 2  # HR 1024 px tiles -> LR 512 px network input

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
        ann_file='hrrsd_train.json',
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
        ann_file='hrrsd_val.json',
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
        ann_file='hrrsd_test.json',
        data_prefix=data_prefix,
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))

val_evaluator = dict(
    type='CocoPRCurveMetric',
    ann_file=data_root + 'hrrsd_val.json',
    metric='bbox',
    classwise=True,
    format_only=False,
    pr_curve_dir=None,  # a folder: one PR-curve PNG per class
    backend_args=backend_args)
test_evaluator = dict(
    type='CocoPRCurveMetric',
    ann_file=data_root + 'hrrsd_test.json',
    metric='bbox',
    classwise=True,
    format_only=False,
    pr_curve_dir=None,  # a folder: one PR-curve PNG per class
    backend_args=backend_args)

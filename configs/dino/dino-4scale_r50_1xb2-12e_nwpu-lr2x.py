# DINO-4scale R50 on NWPU VHR-10 tiles, 2x LR input (256 px).
# mmdet ships DINO as one config with its COCO data and no model-only base,
# and mmengine forbids the same key in two bases; so this inherits mmdet's
# DINO config and replaces its data with the settings of
# configs/_base_/datasets/nwpu_vhr10_lr2x.py, repeated below
# (tests/test_configs/test_det_configs.py checks that they stay equal).
_base_ = 'mmdet::dino/dino-4scale_r50_8xb2-12e_coco.py'

custom_imports = dict(
    imports=[
        'mmrsod.datasets', 'mmrsod.models', 'mmrsod.evaluation',
        'mmrsod.engine'
    ],
    allow_failed_imports=False)

model = dict(
    # mmdet's DINO plus a one-line error when num_queries (900) exceeds the
    # encoder tokens of an input (1360 at 256 px, 340 at 128 px); otherwise
    # identical, state dicts included
    type='RSDINO',
    bbox_head=dict(num_classes=10))

# the SDCoNet paper's optimiser (also mmdet's DINO default): AdamW lr 1e-4,
# weight decay 1e-4, gradient clipping 0.1, backbone lr x 0.1, batch 2
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=0.0001, weight_decay=0.0001),
    clip_grad=dict(max_norm=0.1, norm_type=2),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}))
max_epochs = 12
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_epochs,
        by_epoch=True,
        milestones=[11],
        gamma=0.1)
]
auto_scale_lr = dict(base_batch_size=2)

# --- data: as configs/_base_/datasets/nwpu_vhr10_lr2x.py -----------------
dataset_type = 'NWPUVHR10Dataset'
data_root = 'data/nwpu_vhr10_split/'
data_prefix = dict(img='')
backend_args = None
tile_size = 512
lr_scale = 2
train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='RandomFlip', prob=0.0),  # the flip switch
    dict(type='DownsampleToLR', scale=lr_scale),
    dict(type='PackDetSRInputs'),
]
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
    _delete_=True,
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
    _delete_=True,
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
    _delete_=True,
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
    _delete_=True,
    type='CocoPRCurveMetric',
    ann_file=data_root + 'nwpu_vhr10_val.json',
    metric='bbox',
    classwise=True,
    format_only=False,
    pr_curve_dir=None,  # a folder: one PR-curve PNG per class
    backend_args=backend_args)
test_evaluator = dict(
    _delete_=True,
    type='CocoPRCurveMetric',
    ann_file=data_root + 'nwpu_vhr10_test.json',
    metric='bbox',
    classwise=True,
    format_only=False,
    pr_curve_dir=None,  # a folder: one PR-curve PNG per class
    backend_args=backend_args)

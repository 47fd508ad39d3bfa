# The detection demo (`bash tools/run_demo.sh --demo det`): the ResNet-18
# RetinaNet student of the NWPU baselines, trained from scratch for 600
# iterations on the synthetic NWPU-layout demo set
# (`tools/misc/generate_demo_data.py data/demo_det --task det`), converted
# with tools/dataset_converters/nwpu_vhr10.py and tiled with split_tiles.py
# at 256 px / 64 px overlap, so the 2x bicubic LR input is 128 px. The whole
# demo took 4 min 48 s on a 2-core CPU (data 20 s, train 260 s, test 9 s;
# loss 2.53 -> 0.29, test AP 0.126, AP50 0.400; with 300 iterations AP50
# was 0.113).
#
# From-scratch settings (no pretrained weights reach CI or this demo):
# BatchNorm trains (norm_eval=False) and no stage is frozen; AdamW with a
# short warm-up instead of SGD at the fine-tuning lr; anchors one octave
# smaller (8-13 px at stride 8) as the demo's vehicles are 9-16 px long at
# LR. No validation during training (tools/test.py runs after it).
_base_ = './retinanet_r18_fpn_1xb2-12e_nwpu-lr2x.py'

data_root = 'data/demo_det_split/'
max_iters = 600

model = dict(
    backbone=dict(norm_eval=False, frozen_stages=-1, init_cfg=None),
    bbox_head=dict(anchor_generator=dict(octave_base_scale=1)))

train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root))
test_dataloader = dict(
    num_workers=0, persistent_workers=False, dataset=dict(data_root=data_root))
test_evaluator = dict(ann_file=data_root + 'nwpu_vhr10_test.json')
val_dataloader = None
val_cfg = None
val_evaluator = None

train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters=max_iters)
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=1e-4),
    clip_grad=dict(max_norm=10, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=30),
    dict(
        type='MultiStepLR',
        by_epoch=False,
        begin=0,
        end=max_iters,
        milestones=[480],
        gamma=0.1)
]
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(by_epoch=False, interval=max_iters))
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)

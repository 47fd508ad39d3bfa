# Faster R-CNN R50-FPN (the IFKD teacher) on SAR-AIRcraft-1.0 (7 aircraft
# classes): whole images at mmdet's default (1333, 800) resize (IFKD Sec. 4.1:
# "the default configuration file", 1x schedule). Composed like
# ./faster-rcnn_r50_fpn_1xb2-12e_nwpu-lr2x.py (same model, schedule, runtime
# and batch-2 learning rate) with this data set's base instead of the NWPU LR
# tiles; the anchors are mmdet's defaults (the NWPU configs halve them for
# their 2x-downsampled objects). The paper also says "train 100 epochs": for
# that, set train_cfg.max_epochs=100 and the MultiStepLR milestones.
_base_ = [
    'mmdet::_base_/models/faster-rcnn_r50_fpn.py',
    '../_base_/datasets/sar_aircraft.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    '../_base_/det_default_runtime.py'
]

model = dict(roi_head=dict(bbox_head=dict(num_classes=7)))

# batch 2 on one device: mmdet's lr 0.02 for 16 images, scaled linearly
optim_wrapper = dict(optimizer=dict(lr=0.0025))
auto_scale_lr = dict(enable=False, base_batch_size=2)

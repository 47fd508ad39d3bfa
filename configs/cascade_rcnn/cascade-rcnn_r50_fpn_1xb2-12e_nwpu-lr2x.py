# Cascade R-CNN R50-FPN on NWPU VHR-10 tiles, 2x LR input (256 px).
# Composed as mmdet's cascade-rcnn_r50_fpn_1x_coco.py (its model and 1x
# schedule bases) with the NWPU LR data (see the Faster R-CNN config for why
# the full COCO config is not a base).
_base_ = [
    'mmdet::_base_/models/cascade-rcnn_r50_fpn.py',
    '../_base_/datasets/nwpu_vhr10_lr2x.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    '../_base_/det_default_runtime.py'
]

# the three stage heads of mmdet's model with 10 classes (a list replaces
# the base list as a whole, so it is rebuilt from the base's entries)
model = dict(
    # anchors halved for LR objects (see the Faster R-CNN config)
    rpn_head=dict(anchor_generator=dict(scales=[4])),
    roi_head=dict(bbox_head=[
        dict(_base_.model.roi_head.bbox_head[0], num_classes=10),
        dict(_base_.model.roi_head.bbox_head[1], num_classes=10),
        dict(_base_.model.roi_head.bbox_head[2], num_classes=10),
    ]))

# batch 2 on one device: mmdet's lr 0.02 for 16 images, scaled linearly
optim_wrapper = dict(optimizer=dict(lr=0.0025))
auto_scale_lr = dict(enable=False, base_batch_size=2)

# RetinaNet R50-FPN on NWPU VHR-10 tiles, 2x LR input (256 px).
# Composed as mmdet's retinanet_r50_fpn_1x_coco.py (its model and 1x
# schedule bases) with the NWPU LR data (see the Faster R-CNN config for why
# the full COCO config is not a base).
_base_ = [
    'mmdet::_base_/models/retinanet_r50_fpn.py',
    '../_base_/datasets/nwpu_vhr10_lr2x.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    '../_base_/det_default_runtime.py'
]

model = dict(
    bbox_head=dict(
        num_classes=10,
        # half of COCO's anchors, as the LR objects are half their HR size:
        # 16-25 px at stride 8 up to 256-406 px at stride 128
        anchor_generator=dict(octave_base_scale=2)))

# batch 2 on one device: mmdet's lr 0.01 for 16 images, scaled linearly
optim_wrapper = dict(optimizer=dict(lr=0.00125))
auto_scale_lr = dict(enable=False, base_batch_size=2)

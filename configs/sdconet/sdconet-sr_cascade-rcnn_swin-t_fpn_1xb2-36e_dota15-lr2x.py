# Cascade R-CNN Swin-T FPN + the SDCoNet SR branch on the shared Swin-T encoder
# (Table V, with SR branch) on DOTA-v1.5 1024 px tiles at 512 px LR input with
# the 1024 px tile as SR target. Data as
# ../_base_/datasets/dota15_split_lr2x.py (preparation commands there), set
# here as overrides of the NWPU parent
# (tests/test_configs/test_sdconet_configs.py checks that they equal the base).
# The DOTA test labels are not public: the released val split is the test set
# (val and test read dota_val.json).
_base_ = './sdconet-sr_cascade-rcnn_swin-t_fpn_1xb2-36e_nwpu-lr2x.py'

dataset_type = 'DOTAv15Dataset'
data_root = 'data/dota15_split/'
tile_size = 1024  # HR tiles (split_tiles.py --tile 1024 --overlap 200)
lr_scale = 2  # HR 1024 px tiles -> LR 512 px network input
# the three stage heads with 16 classes (a list replaces the parent's list
# as a whole, so it is rebuilt from the parent's entries)
model = dict(
    roi_head=dict(bbox_head=[
        dict(_base_.model.roi_head.bbox_head[0], num_classes=16),
        dict(_base_.model.roi_head.bbox_head[1], num_classes=16),
        dict(_base_.model.roi_head.bbox_head[2], num_classes=16),
    ]))

train_dataloader = dict(
    dataset=dict(
        type=dataset_type, data_root=data_root, ann_file='dota_train.json'))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type, data_root=data_root, ann_file='dota_val.json'))
test_dataloader = dict(
    dataset=dict(
        type=dataset_type, data_root=data_root, ann_file='dota_val.json'))
val_evaluator = dict(ann_file=data_root + 'dota_val.json')
test_evaluator = dict(ann_file=data_root + 'dota_val.json')

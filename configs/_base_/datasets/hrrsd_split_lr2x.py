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
# tiles. Everything else (pipelines with the flip switch,
# loaders, evaluators) is configs/_base_/datasets/nwpu_vhr10_lr2x.py's.
_base_ = './nwpu_vhr10_lr2x.py'

dataset_type = 'HRRSDDataset'
data_root = 'data/hrrsd_split/'
tile_size = 1024  # HR tiles (split_tiles.py --tile 1024); not resized
lr_scale = 2  # HR 1024 px tiles -> LR 512 px network input (as the parent)

train_dataloader = dict(
    dataset=dict(
        type=dataset_type, data_root=data_root, ann_file='hrrsd_train.json'))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type, data_root=data_root, ann_file='hrrsd_val.json'))
test_dataloader = dict(
    dataset=dict(
        type=dataset_type, data_root=data_root, ann_file='hrrsd_test.json'))
val_evaluator = dict(ann_file=data_root + 'hrrsd_val.json')
test_evaluator = dict(ann_file=data_root + 'hrrsd_test.json')

# DOTA-v1.5 split into 1024 px tiles with 200 px overlap (the SDCoNet
# protocol, Sec. IV-A), trained and tested on the 2x bicubic-downsampled
# 512 px LR tile with the 1024 px HR tile kept as `gt_sr` (fixed input
# size, no augmentation). Preparation (tools/dataset_converters/README.md
# and TILING.md; horizontal boxes, difficult objects as ignore regions):
#
#   python tools/dataset_converters/dota.py data/DOTA data/dota15 \
#       --version 1.5 --label-dir labelTxt-v1.5 --splits train val
#   for s in train val; do
#     python tools/dataset_converters/split_tiles.py \
#         data/dota15/dota_$s.json data/DOTA data/dota15_split \
#         --tile 1024 --overlap 200 --nproc 2
#   done
#
# -> data/dota15_split/{images/, dota_train.json, dota_val.json}.
# The DOTA test labels are not public, so the released `val` split is the
# test set here (val_dataloader and test_dataloader both read
# dota_val.json), as in the paper's 11,828 train / 4,055 test tiles.
#
# Predictions are mapped back to the HR frame (DownsampleToLR composes
# `scale_factor`), so COCO areas and APs/m/l are those of the 1024 px HR
# tiles. Everything else (pipelines with the flip switch,
# loaders, evaluators) is configs/_base_/datasets/nwpu_vhr10_lr2x.py's.
_base_ = './nwpu_vhr10_lr2x.py'

dataset_type = 'DOTAv15Dataset'
data_root = 'data/dota15_split/'
tile_size = 1024  # HR tiles (split_tiles.py --tile 1024); not resized
lr_scale = 2  # HR 1024 px tiles -> LR 512 px network input (as the parent)

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

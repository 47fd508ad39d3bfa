# ShipRSImageNet (Zhang et al., JSTARS 2021) at class level 3: 50 ship types,
# whole ~930 px images (no tiling, no LR input). IFKD (Sec. 4.1) trains "with
# the default configuration file" of mmdetection, so the pipelines, loaders
# and batch sizes are mmdet's COCO defaults (the base below): Resize to
# (1333, 800) keeping the aspect ratio, RandomFlip 0.5, batch 2; COCO-style
# bbox evaluation (mmrsod's CocoPRCurveMetric = mmdet's CocoMetric plus
# optional PR-curve plots), as the other detection configs.
#
# Preparation (tools/dataset_converters/README.md, "ShipRSImageNet"): put the
# release (github.com/zzndream/ShipRSImageNet) in data/ShipRSImageNet/
# (VOC_Format/{Annotations,ImageSets,JPEGImages}), then
#
#   python tools/dataset_converters/shiprsimagenet.py data/ShipRSImageNet \
#       data/shiprsimagenet --level 3
#
# -> data/shiprsimagenet/shiprsimagenet_{train,val,test}.json, whose
# `file_name`s (VOC_Format/JPEGImages/<name>.bmp) are relative to the release
# root, hence data_root='data/' with the image prefix 'ShipRSImageNet/'.
# (`--source coco` reads the COCO_Format release instead.)
#
# Splits: the official lists; val_dataloader reads `val` (checkpoint
# selection), test_dataloader `test` (the official devkit writes the COCO
# release's test file without boxes: convert the VOC release, or point
# test_* at `val`). The paper reports
# 2,748 training and 678 test images (3,426 in all) without naming the
# lists; to train on train + val, concatenate VOC_Format/ImageSets/
# {train,val}.txt into trainval.txt, convert with `--splits trainval val
# test` and set train_dataloader.dataset.ann_file to
# 'shiprsimagenet/shiprsimagenet_trainval.json'.
_base_ = 'mmdet::_base_/datasets/coco_detection.py'

dataset_type = 'ShipRSImageNetDataset'  # level 3, 50 classes
data_root = 'data/'
data_prefix = dict(img='ShipRSImageNet/')  # the release root
ann_dir = 'shiprsimagenet/'  # the converter's OUT_DIR, under data_root

train_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=ann_dir + 'shiprsimagenet_train.json',
        data_prefix=data_prefix))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=ann_dir + 'shiprsimagenet_val.json',
        data_prefix=data_prefix))
test_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=ann_dir + 'shiprsimagenet_test.json',
        data_prefix=data_prefix))

val_evaluator = dict(
    type='CocoPRCurveMetric',
    ann_file=data_root + ann_dir + 'shiprsimagenet_val.json',
    metric='bbox',
    classwise=True,
    pr_curve_dir=None)  # a folder: one PR-curve PNG per class
test_evaluator = dict(
    type='CocoPRCurveMetric',
    ann_file=data_root + ann_dir + 'shiprsimagenet_test.json',
    metric='bbox',
    classwise=True,
    pr_curve_dir=None)

# SAR-AIRcraft-1.0 (Wang et al., Journal of Radars 2023): 7 aircraft classes
# (A220, A320/321, A330, ARJ21, Boeing737, Boeing787, other; the IFKD paper
# says "6 classes" but lists these 7) in whole 800-1500 px Gaofen-3 images
# (no tiling, no LR input). IFKD (Sec. 4.1) trains "with the default
# configuration file" of mmdetection, so the pipelines, loaders and batch
# sizes are mmdet's COCO defaults (the base below): Resize to (1333, 800)
# keeping the aspect ratio, RandomFlip 0.5, batch 2; COCO-style bbox
# evaluation (mmrsod's CocoPRCurveMetric = mmdet's CocoMetric plus optional
# PR-curve plots), as the other detection configs.
#
# Preparation (tools/dataset_converters/README.md, "SAR-AIRcraft-1.0"): put
# the release in data/SAR-AIRcraft-1.0/ (Annotations/, ImageSets/Main/
# {train,test}.txt, JPEGImages/), then
#
#   python tools/dataset_converters/sar_aircraft.py data/SAR-AIRcraft-1.0 \
#       data/sar_aircraft
#
# -> data/sar_aircraft/sar_aircraft_{train,test}.json, whose `file_name`s
# (JPEGImages/<stem>.jpg) are relative to the release root, hence
# data_root='data/' with the image prefix 'SAR-AIRcraft-1.0/'.
#
# Splits: the official train (3,489 images) / test (879) lists, as in the
# paper; the release has no val list, so val_dataloader and test_dataloader
# both read `test` (as the DOTA base does with its released val split).
_base_ = 'mmdet::_base_/datasets/coco_detection.py'

dataset_type = 'SARAircraftDataset'
data_root = 'data/'
data_prefix = dict(img='SAR-AIRcraft-1.0/')  # the release root
ann_dir = 'sar_aircraft/'  # the converter's OUT_DIR, under data_root

train_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=ann_dir + 'sar_aircraft_train.json',
        data_prefix=data_prefix))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=ann_dir + 'sar_aircraft_test.json',
        data_prefix=data_prefix))
test_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=ann_dir + 'sar_aircraft_test.json',
        data_prefix=data_prefix))

val_evaluator = dict(
    type='CocoPRCurveMetric',
    ann_file=data_root + ann_dir + 'sar_aircraft_test.json',
    metric='bbox',
    classwise=True,
    pr_curve_dir=None)  # a folder: one PR-curve PNG per class
test_evaluator = dict(
    type='CocoPRCurveMetric',
    ann_file=data_root + ann_dir + 'sar_aircraft_test.json',
    metric='bbox',
    classwise=True,
    pr_curve_dir=None)

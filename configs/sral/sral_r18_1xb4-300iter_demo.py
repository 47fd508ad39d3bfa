# The README demo: SRAL with a ResNet-18 encoder trained from scratch on the
# synthetic demo dataset that `python tools/misc/generate_demo_data.py
# data/demo_sod` generates (ORSSD layout, 48 train / 16 test images of
# 256 px). To fit a few CPU minutes it runs at half the paper's resolution:
# 128 px LR input -> 256 px saliency map (the paper: 224 -> 448), the same
# 2x super-resolution setting.
_base_ = [
    '../_base_/models/sral_r18.py', '../_base_/datasets/sod_sral.py',
    '../_base_/default_runtime.py', '../_base_/schedules/sgd_poly_iter.py'
]
data_root = 'data/demo_sod'
hr_size = 256
# no download in the demo: train from scratch (CI has no internet)
model = dict(
    data_preprocessor=dict(size=(hr_size // 2, hr_size // 2)),
    backbone=dict(init_cfg=None))
# the base pipelines (configs/_base_/datasets/sod_sral.py), resized to 256
train_pipeline = [
    dict(t, scale=hr_size) if t['type'] == 'SODResize' else t
    for t in _base_.train_pipeline
]
test_pipeline = [
    dict(t, scale=hr_size) if t['type'] == 'SODResize' else t
    for t in _base_.test_pipeline
]
train_dataloader = dict(
    batch_size=4,
    num_workers=2,
    dataset=dict(data_root=data_root, layout='orssd', pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(data_root=data_root, layout='orssd', pipeline=test_pipeline))
test_dataloader = val_dataloader

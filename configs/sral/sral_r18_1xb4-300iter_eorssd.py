# A short CPU-sized run of the small SRAL variant (ResNet-18, 224 px LR input
# -> 448 px map) on EORSSD (train split for training, test split for
# evaluation), from scratch: 300 iterations at batch 4 (~0.86 epoch), SGD lr
# 0.002, poly 0.9. Not a paper setting; it shows the pipeline learns on real
# data where no GPU or pretrained weights are available.
_base_ = [
    '../_base_/models/sral_r18.py', '../_base_/datasets/eorssd.py',
    '../_base_/default_runtime.py', '../_base_/schedules/sgd_poly_iter.py'
]
model = dict(backbone=dict(init_cfg=None))
train_dataloader = dict(batch_size=4, num_workers=2)

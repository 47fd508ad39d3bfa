# Table IV row 1 on ORSI-4199: the 448 px input baseline (ResNet-50 + PPM +
# FPN-style decoder with deep supervision, 448 -> 448), same schedule.
_base_ = [
    '../_base_/models/sral-baseline_r50.py', '../_base_/datasets/orsi4199.py',
    '../_base_/default_runtime.py', '../_base_/schedules/sral_sgd_poly_100e.py'
]
train_dataloader = dict(dataset=dict(pipeline={{_base_.hr_train_pipeline}}))
val_dataloader = dict(dataset=dict(pipeline={{_base_.hr_test_pipeline}}))
test_dataloader = val_dataloader

# Table VI "DINO-Saliency": SDCoNet without the SR branch (saliency
# prediction + joint token filtering + background embedding on DINO
# Swin-T). The backbone returns stages 2-4 straight to the neck as in
# DINO, no HR target is prepared and there is no gradient routing.
_base_ = './sdconet_swin-t_1xb2-36e_nwpu-lr2x.py'

model = dict(
    data_preprocessor=dict(type='DetDataPreprocessor'),
    backbone=dict(out_indices=(1, 2, 3)),
    neck_in_indices=None,
    sr_head=None)
custom_hooks = []  # a list replaces the parent's list: no routing hook
find_unused_parameters = False  # every parameter gets a gradient

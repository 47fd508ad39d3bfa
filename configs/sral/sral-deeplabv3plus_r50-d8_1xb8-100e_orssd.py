# Table VII on ORSSD: DeepLabv3+ trained inside the SRAL framework: the plain
# config plus ASRD and TFGM (training only), 224 px LR input -> 448 px map.
_base_ = [
    './deeplabv3plus_r50-d8_1xb8-100e_orssd.py',
    '../_base_/models/asrd_r50-d8.py'
]
model = dict(sr_head={{_base_.asrd_r50_d8}}, tfgm=dict(type='TFGMLoss'))

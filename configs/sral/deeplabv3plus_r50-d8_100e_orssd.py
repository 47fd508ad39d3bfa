# Table VII on ORSSD: plain DeepLabv3+ at 224 px input (no ASRD, no TFGM), the
# logits bilinearly resized to the 448 px output; compare with
# sral-deeplabv3plus_r50-d8_100e_orssd.py.
_base_ = './sral-deeplabv3plus_r50-d8_100e_orssd.py'
model = dict(sr_head=None, tfgm=None)

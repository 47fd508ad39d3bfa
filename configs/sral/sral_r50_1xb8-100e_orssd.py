# SRAL (TGRS 2023) on ORSSD: SODResNet-50 + PPM + TSDD + ASRD + TFGM,
# 224 px LR input -> 448 px saliency map, authors' released-code behaviour
# (configs/sral/README.md lists every choice). Batch 8, SGD lr 0.002, poly 0.9,
# 100 epochs. Deployed model = TSDD-only network (ASRD/TFGM stripped).
_base_ = [
    '../_base_/models/sral_r50.py', '../_base_/datasets/orssd.py',
    '../_base_/default_runtime.py', '../_base_/schedules/sral_sgd_poly_100e.py'
]

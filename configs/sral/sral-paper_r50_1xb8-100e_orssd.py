# SRAL on ORSSD with every module as the paper describes it (not as the
# released code does); see configs/_base_/models/sral-paper_r50.py.
_base_ = [
    '../_base_/models/sral-paper_r50.py', '../_base_/datasets/orssd.py',
    '../_base_/default_runtime.py', '../_base_/schedules/sral_sgd_poly_100e.py'
]

# SRAL on ORSI-4199 with every module as the paper describes it (not as the
# released code does); see configs/_base_/models/sral-paper_r50.py.
_base_ = [
    '../_base_/models/sral-paper_r50.py', '../_base_/datasets/orsi4199.py',
    '../_base_/default_runtime.py', '../_base_/schedules/sral_sgd_poly_100e.py'
]

# Table III on ORSI-4199: TFGM with L_consist only (no L_similar).
_base_ = './sral_r50_1xb8-100e_orsi4199.py'
model = dict(tfgm=dict(use_similar=False))

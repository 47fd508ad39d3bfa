# Table III on ORSI-4199: L_SOD + 10 * L_SR (no TFGM).
_base_ = './sral-tsdd-asrd_r50_1xb8-100e_orsi4199.py'
model = dict(sr_head=dict(loss_weight=10.0))

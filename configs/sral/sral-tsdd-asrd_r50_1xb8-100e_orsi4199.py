# Table IV row 3 on ORSI-4199: TSDD + ASRD (224 -> 448), no TFGM.
_base_ = './sral_r50_1xb8-100e_orsi4199.py'
model = dict(tfgm=None)

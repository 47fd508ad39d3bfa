# Table IV row 3 on EORSSD: TSDD + ASRD (224 -> 448), no TFGM.
_base_ = './sral_r50_1xb8-100e_eorssd.py'
model = dict(tfgm=None)

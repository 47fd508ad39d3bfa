# Table IV row 2 on ORSSD: TSDD only (224 -> 448), no ASRD, no TFGM.
_base_ = './sral_r50_1xb8-100e_orssd.py'
model = dict(sr_head=None, tfgm=None)

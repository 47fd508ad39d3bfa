# SRAL ablation "TSDD only" (Table IV, row 2): SODResNet-50 + PPM + TSDD on
# the 224 px LR input, 448 px output, no SR branch and no TFGM. The
# deployed (stripped) SRAL-R50 has exactly this network.
_base_ = './sral_r50.py'
model = dict(sr_head=None, tfgm=None)

# IFKD without its three modules (not a paper row), RetinaNet R18 <- R50 on
# NWPU: ./retinanet_r18_fpn_ifkd_r50_1xb2-12e_nwpu-lr2x.py with EDE, FDR and
# HSM off (None), i.e. adapted-feature imitation plus the head BCE (eqs. 12-14
# with uniform weights). It separates what the loss form gives from what the
# modules add.
_base_ = ['./retinanet_r18_fpn_ifkd_r50_1xb2-12e_nwpu-lr2x.py']

model = dict(distill_losses=dict(ifkd=dict(ede=None, fdr=None, hsm=None)))

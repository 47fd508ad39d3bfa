# IFKD ablation, Table 4 "FDR" in the paper's own setting (RetinaNet
# MobileNetV2 <- R50 on ShipRSImageNet-L3):
# ./retinanet_mobilenetv2_fpn_ifkd_r50_1xb2-12e_shiprsimagenet-l3.py with only
# FDR on, EDE, HSM off (None). The baseline row is AT
# (./retinanet_mobilenetv2_fpn_at_r50_1xb2-12e_shiprsimagenet-l3.py), the full
# row ./retinanet_mobilenetv2_fpn_ifkd_r50_1xb2-12e_shiprsimagenet-l3.py; the
# NWPU R18 <- R50 set is retinanet_r18_fpn_ifkd-*_r50_1xb2-12e_nwpu-lr2x.py.
_base_ = ['./retinanet_mobilenetv2_fpn_ifkd_r50_1xb2-12e_shiprsimagenet-l3.py']

model = dict(distill_losses=dict(ifkd=dict(ede=None, hsm=None)))

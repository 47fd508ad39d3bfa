# IFKD without its three modules (not a paper row), RetinaNet MobileNetV2 <-
# R50 on ShipRSImageNet-L3:
# ./retinanet_mobilenetv2_fpn_ifkd_r50_1xb2-12e_shiprsimagenet-l3.py with EDE,
# FDR and HSM off (None): adapted-feature imitation plus the head BCE with
# uniform weights.
_base_ = ['./retinanet_mobilenetv2_fpn_ifkd_r50_1xb2-12e_shiprsimagenet-l3.py']

model = dict(distill_losses=dict(ifkd=dict(ede=None, fdr=None, hsm=None)))

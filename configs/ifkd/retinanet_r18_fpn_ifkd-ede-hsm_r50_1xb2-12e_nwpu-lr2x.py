# IFKD ablation, Table 4 "EDE + HSM" on NWPU (RetinaNet R18 <- R50, the setting
# run on this machine): ./retinanet_r18_fpn_ifkd_r50_1xb2-12e_nwpu-lr2x.py with
# only EDE + HSM on, FDR off (None). Same losses (L_feat, L_head; eqs. 12-14),
# weights, student, teacher and data; the baseline row is AT
# (./retinanet_r18_fpn_at_r50_1xb2-12e_nwpu-lr2x.py), the full row
# ./retinanet_r18_fpn_ifkd_r50_1xb2-12e_nwpu-lr2x.py. The paper's own setting
# (RetinaNet MobileNetV2 <- R50 on ShipRSImageNet-L3) is
# retinanet_mobilenetv2_fpn_ifkd-*_r50_1xb2-12e_shiprsimagenet-l3.py.
_base_ = ['./retinanet_r18_fpn_ifkd_r50_1xb2-12e_nwpu-lr2x.py']

model = dict(distill_losses=dict(ifkd=dict(fdr=None)))

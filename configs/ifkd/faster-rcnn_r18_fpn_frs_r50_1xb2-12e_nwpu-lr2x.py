# FRS baseline (Du et al., NeurIPS 2021; IFKD Table 3): Faster R-CNN
# ResNet-18-FPN student distilled from a trained Faster R-CNN ResNet-50-FPN
# teacher on NWPU VHR-10 (2x LR). The FitNet config is the parent (same
# student, teacher, data and adapters: FRS's ADAP is a 3x3 conv per FPN
# level); FRS replaces the loss. Train the teacher first:
#   python tools/train.py \
#       configs/faster_rcnn/faster-rcnn_r50_fpn_1xb2-12e_nwpu-lr2x.py
_base_ = ['./faster-rcnn_r18_fpn_fitnet_r50_1xb2-12e_nwpu-lr2x.py']

# FRS's Faster R-CNN weights; the mask is the teacher's max RPN objectness
# (the wrapper's teacher_cls for two-stage detectors)
model = dict(
    distill_losses=dict(
        _delete_=True,
        frs=dict(type='FRSLoss', feat_weight=0.002, head_weight=0.1)))

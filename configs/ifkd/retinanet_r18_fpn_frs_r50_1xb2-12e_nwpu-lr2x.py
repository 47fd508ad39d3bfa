# FRS baseline (Du et al., NeurIPS 2021; IFKD Table 3): RetinaNet
# ResNet-18-FPN student distilled from a trained RetinaNet ResNet-50-FPN
# teacher on NWPU VHR-10 (2x LR). The FitNet config is the parent (same
# student, teacher, data and adapters: FRS's ADAP is a 3x3 conv per FPN
# level); FRS replaces the loss. Train the teacher first:
#   python tools/train.py \
#       configs/retinanet/retinanet_r50_fpn_1xb2-12e_nwpu-lr2x.py
# then this config (teacher_ckpt, or --cfg-options model.teacher_ckpt=PATH).
# Export the student with tools/model_converters/export_student.py.
_base_ = ['./retinanet_r18_fpn_fitnet_r50_1xb2-12e_nwpu-lr2x.py']

# FRS's RetinaNet weights; the mask is the teacher's max cls score
model = dict(
    distill_losses=dict(
        _delete_=True,
        frs=dict(type='FRSLoss', feat_weight=0.005, head_weight=0.02)))

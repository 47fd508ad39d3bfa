# FRS baseline (Du et al., NeurIPS 2021; IFKD Table 3): RetinaNet
# ResNet-18-FPN student distilled from a trained RetinaNet ResNet-50-FPN
# teacher on NWPU VHR-10 (2x LR). Train the teacher first:
#   python tools/train.py \
#       configs/retinanet/retinanet_r50_fpn_1xb2-12e_nwpu-lr2x.py
# then this config (teacher_ckpt below, or --cfg-options
# model.teacher_ckpt=PATH). Export the student with
# tools/model_converters/export_student.py.
_base_ = ['../retinanet/retinanet_r18_fpn_1xb2-12e_nwpu-lr2x.py']

teacher_config = 'configs/retinanet/retinanet_r50_fpn_1xb2-12e_nwpu-lr2x.py'
teacher_ckpt = 'work_dirs/retinanet_r50_fpn_1xb2-12e_nwpu-lr2x/epoch_12.pth'

model = dict(
    _delete_=True,
    type='DistillationDetector',
    student={{_base_.model}},
    teacher_config=teacher_config,
    teacher_ckpt=teacher_ckpt,
    # FRS's ADAP: a 3x3 conv per FPN level (P3-P7, 256 channels)
    adapters=dict(in_channels=256, out_channels=256, num_levels=5),
    # FRS's RetinaNet weights; the mask is the teacher's max cls score
    distill_losses=dict(
        frs=dict(type='FRSLoss', feat_weight=0.005, head_weight=0.02)))

# FRS baseline (Du et al., NeurIPS 2021; IFKD Table 3): Faster R-CNN
# ResNet-18-FPN student distilled from a trained Faster R-CNN ResNet-50-FPN
# teacher on NWPU VHR-10 (2x LR). Train the teacher first:
#   python tools/train.py \
#       configs/faster_rcnn/faster-rcnn_r50_fpn_1xb2-12e_nwpu-lr2x.py
_base_ = ['../faster_rcnn/faster-rcnn_r18_fpn_1xb2-12e_nwpu-lr2x.py']

teacher_config = (
    'configs/faster_rcnn/faster-rcnn_r50_fpn_1xb2-12e_nwpu-lr2x.py')
teacher_ckpt = (
    'work_dirs/faster-rcnn_r50_fpn_1xb2-12e_nwpu-lr2x/epoch_12.pth')

model = dict(
    _delete_=True,
    type='DistillationDetector',
    student={{_base_.model}},
    teacher_config=teacher_config,
    teacher_ckpt=teacher_ckpt,
    # FRS's ADAP: a 3x3 conv per FPN level (P2-P6, 256 channels)
    adapters=dict(in_channels=256, out_channels=256, num_levels=5),
    # FRS's Faster R-CNN weights; the mask is the teacher's max RPN
    # objectness (the wrapper's teacher_cls for two-stage detectors)
    distill_losses=dict(
        frs=dict(type='FRSLoss', feat_weight=0.002, head_weight=0.1)))

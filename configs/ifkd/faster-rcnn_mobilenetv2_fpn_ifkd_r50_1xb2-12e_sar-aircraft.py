# IFKD (EDE + FDR + HSM, eqs. 1-14): Faster R-CNN MobileNetV2-FPN student
# distilled from a trained Faster R-CNN ResNet-50-FPN teacher on
# SAR-AIRcraft-1.0 (7 aircraft classes). The same IFKD settings as
# ./retinanet_r18_fpn_ifkd_r50_1xb2-12e_nwpu-lr2x.py
# (tests/test_configs/test_ifkd_configs.py checks that they stay equal) on this
# student and data set; the student is exactly
# ../faster_rcnn/faster-rcnn_mobilenetv2_fpn_1xb2-12e_sar-aircraft.py, so the
# exported student loads into it. Train the teacher first:
#   python tools/train.py \
#       configs/faster_rcnn/faster-rcnn_r50_fpn_1xb2-12e_sar-aircraft.py
# then put MobileSAM's official weights at `sam_checkpoint` (EDE refuses a
# random encoder) and, optionally, fill the feature cache once (else each image
# is encoded on its first visit):
#   python tools/misc/precompute_sam_features.py THIS_CONFIG \
#       --checkpoint checkpoints/mobile_sam.pt \
#       --cache-dir work_dirs/mobile_sam_cache
_base_ = [
    '../faster_rcnn/faster-rcnn_mobilenetv2_fpn_1xb2-12e_sar-aircraft.py',
    '../_base_/distill/ifkd.py'
]

teacher_config = (
    'configs/faster_rcnn/faster-rcnn_r50_fpn_1xb2-12e_sar-aircraft.py')
teacher_ckpt = (
    'work_dirs/faster-rcnn_r50_fpn_1xb2-12e_sar-aircraft/epoch_12.pth')

model = dict(
    _delete_=True,
    type='DistillationDetector',
    student={{_base_.model}},
    teacher_config=teacher_config,
    teacher_ckpt=teacher_ckpt,
    adapters={{_base_.ifkd_adapters}},
    distill_losses=dict(ifkd={{_base_.ifkd_loss}}))

# IFKD (EDE + FDR + HSM, eqs. 1-14): RetinaNet MobileNetV2-FPN student
# distilled from a trained RetinaNet ResNet-50-FPN teacher on NWPU VHR-10 (512
# px tiles, 2x LR input). The same IFKD settings as
# ./retinanet_r18_fpn_ifkd_r50_1xb2-12e_nwpu-lr2x.py
# (tests/test_configs/test_ifkd_configs.py checks that they stay equal) on this
# student and data set; the student is exactly
# ../retinanet/retinanet_mobilenetv2_fpn_1xb2-12e_nwpu-lr2x.py, so the exported
# student loads into it. Train the teacher first:
#   python tools/train.py \
#       configs/retinanet/retinanet_r50_fpn_1xb2-12e_nwpu-lr2x.py
# then put MobileSAM's official weights at `sam_checkpoint` (EDE refuses a
# random encoder) and, optionally, fill the feature cache once (else each image
# is encoded on its first visit):
#   python tools/misc/precompute_sam_features.py THIS_CONFIG \
#       --checkpoint checkpoints/mobile_sam.pt \
#       --cache-dir work_dirs/mobile_sam_cache
_base_ = [
    '../retinanet/retinanet_mobilenetv2_fpn_1xb2-12e_nwpu-lr2x.py',
    '../_base_/distill/ifkd.py'
]

teacher_config = ('configs/retinanet/retinanet_r50_fpn_1xb2-12e_nwpu-lr2x.py')
teacher_ckpt = ('work_dirs/retinanet_r50_fpn_1xb2-12e_nwpu-lr2x/epoch_12.pth')

model = dict(
    _delete_=True,
    type='DistillationDetector',
    student={{_base_.model}},
    teacher_config=teacher_config,
    teacher_ckpt=teacher_ckpt,
    adapters={{_base_.ifkd_adapters}},
    distill_losses=dict(ifkd={{_base_.ifkd_loss}}))

# IFKD (EDE + FDR + HSM, eqs. 1-14): Faster R-CNN ResNet-18-FPN student
# distilled from a trained Faster R-CNN ResNet-50-FPN teacher on NWPU VHR-10
# (512 px tiles, 2x LR input). The FitNet config is the parent (same student,
# teacher, data and adapters, phi_adapt: a 3x3 conv per FPN level); IFKD
# replaces the loss, with the same settings as
# ./retinanet_r18_fpn_ifkd_r50_1xb2-12e_nwpu-lr2x.py
# (tests/test_configs/test_ifkd_configs.py checks that they stay equal) on this
# student and data set; the student is exactly
# ../faster_rcnn/faster-rcnn_r18_fpn_1xb2-12e_nwpu-lr2x.py, so the exported
# student loads into it. Train the teacher first:
#   python tools/train.py \
#       configs/faster_rcnn/faster-rcnn_r50_fpn_1xb2-12e_nwpu-lr2x.py
# then put MobileSAM's official weights at `sam_checkpoint` (EDE refuses a
# random encoder) and, optionally, fill the feature cache once (else each image
# is encoded on its first visit):
#   python tools/misc/precompute_sam_features.py THIS_CONFIG \
#       --checkpoint checkpoints/mobile_sam.pt \
#       --cache-dir work_dirs/mobile_sam_cache
_base_ = [
    './faster-rcnn_r18_fpn_fitnet_r50_1xb2-12e_nwpu-lr2x.py',
    '../_base_/distill/ifkd.py'
]

model = dict(distill_losses=dict(_delete_=True, ifkd={{_base_.ifkd_loss}}))

# IFKD (EDE + FDR + HSM, eqs. 1-14): RetinaNet ResNet-18-FPN student
# distilled from a trained RetinaNet ResNet-50-FPN teacher on NWPU VHR-10
# (2x LR input). The FitNet config is the parent: same student, teacher and
# adapters (phi_adapt: a 3x3 conv per FPN level); IFKD replaces the loss.
#
# 1. train the teacher:
#      python tools/train.py \
#          configs/retinanet/retinanet_r50_fpn_1xb2-12e_nwpu-lr2x.py
# 2. put MobileSAM's official weights at `sam_checkpoint` (EDE refuses a
#    random encoder; without the weights use the `ifkd-fdr-hsm` ablation),
#    optionally fill the feature cache once (else each image is encoded on
#    its first visit, seconds per image on CPU):
#      python tools/misc/precompute_sam_features.py CONFIG \
#          --checkpoint checkpoints/mobile_sam.pt \
#          --cache-dir work_dirs/mobile_sam_cache
# 3. python tools/train.py CONFIG, then export the student with
#    tools/model_converters/export_student.py.
_base_ = [
    './retinanet_r18_fpn_fitnet_r50_1xb2-12e_nwpu-lr2x.py',
    '../_base_/distill/ifkd.py'
]

model = dict(distill_losses=dict(_delete_=True, ifkd={{_base_.ifkd_loss}}))

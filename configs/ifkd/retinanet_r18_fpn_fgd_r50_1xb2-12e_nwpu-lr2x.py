# FGD baseline (Yang et al., CVPR 2022; IFKD Table 3): RetinaNet
# ResNet-18-FPN student distilled from a trained RetinaNet ResNet-50-FPN
# teacher on NWPU VHR-10 (2x LR). The FitNet config is the parent (same
# student, teacher and data); FGD replaces the loss. Train the teacher first:
#   python tools/train.py \
#       configs/retinanet/retinanet_r50_fpn_1xb2-12e_nwpu-lr2x.py
# then this config (teacher_ckpt, or --cfg-options model.teacher_ckpt=PATH).
# Export the student with tools/model_converters/export_student.py.
_base_ = ['./retinanet_r18_fpn_fitnet_r50_1xb2-12e_nwpu-lr2x.py']

model = dict(
    # FGD aligns the student only when the channel counts differ; both FPNs
    # have 256 channels, so no adapter (set adapters=dict(...) otherwise)
    adapters=None,
    # FGD's one-stage weights; one global context block per level (P3-P7)
    distill_losses=dict(
        _delete_=True,
        fgd=dict(
            type='FGDLoss',
            in_channels=256,
            num_levels=5,
            temperature=0.5,
            alpha=1e-3,
            beta=5e-4,
            gamma=5e-4,
            lambda_global=5e-6)))

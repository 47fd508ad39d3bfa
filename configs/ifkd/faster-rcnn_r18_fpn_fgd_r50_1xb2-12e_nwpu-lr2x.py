# FGD baseline (Yang et al., CVPR 2022; IFKD Table 3): Faster R-CNN
# ResNet-18-FPN student distilled from a trained Faster R-CNN ResNet-50-FPN
# teacher on NWPU VHR-10 (2x LR). The FitNet config is the parent (same
# student, teacher and data); FGD replaces the loss. Train the teacher first:
#   python tools/train.py \
#       configs/faster_rcnn/faster-rcnn_r50_fpn_1xb2-12e_nwpu-lr2x.py
_base_ = ['./faster-rcnn_r18_fpn_fitnet_r50_1xb2-12e_nwpu-lr2x.py']

model = dict(
    # FGD aligns the student only when the channel counts differ (256 = 256)
    adapters=None,
    # FGD's two-stage weights; one global context block per level (P2-P6)
    distill_losses=dict(
        _delete_=True,
        fgd=dict(
            type='FGDLoss',
            in_channels=256,
            num_levels=5,
            temperature=0.5,
            alpha=5e-5,
            beta=2.5e-5,
            gamma=5e-5,
            lambda_global=5e-7)))

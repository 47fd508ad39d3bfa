# Table VI baseline of SDCoNet: DINO-4scale Swin-T on the NWPU VHR-10 LR
# tiles (256 px), built by the SDCoNet class with every switch off (None),
# which is exactly DINO (same parameters and state-dict keys as RSDINO), on
# the SDCoNet schedule: 36 epochs, lr x 0.1 at epoch 30 (mmdet's DINO 3x
# milestone; the paper gives no total). Optimiser, data and Swin-T as
# ../dino/dino-4scale_swin-t_1xb2-12e_nwpu-lr2x.py (AdamW 1e-4, weight
# decay 1e-4, clip 0.1, backbone lr x 0.1, batch 2, no augmentation).
_base_ = '../dino/dino-4scale_swin-t_1xb2-12e_nwpu-lr2x.py'

model = dict(
    type='SDCoNet',
    saliency_head=None,  # eq. 5-7 saliency prediction: off
    level_filter_ratio=None,  # eq. 8 scale-level filtering: off
    layer_filter_ratio=None,  # eq. 8 layer-wise filtering: off
    background_embedding=None,  # B_ij for unselected tokens: off
    sr_head=None,  # Swin U-Net SR branch (eqs. 2-4): off
    neck_in_indices=None)  # backbone outputs (1, 2, 3) all go to the neck

max_epochs = 36
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_epochs,
        by_epoch=True,
        milestones=[30],
        gamma=0.1)
]

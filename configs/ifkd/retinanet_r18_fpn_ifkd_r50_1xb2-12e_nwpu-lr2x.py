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
_base_ = ['./retinanet_r18_fpn_fitnet_r50_1xb2-12e_nwpu-lr2x.py']

sam_checkpoint = 'checkpoints/mobile_sam.pt'
sam_cache_dir = 'work_dirs/mobile_sam_cache'

model = dict(
    distill_losses=dict(
        _delete_=True,
        ifkd=dict(
            type='IFKDLoss',
            # EDE (eq. 1): F_t + sigmoid(MobileSAM features)
            ede=dict(checkpoint=sam_checkpoint, cache_dir=sam_cache_dir),
            # FDR (eqs. 3-8): fixed r, one spectral filter per P3-P7 level
            fdr=dict(
                type='FrequencyDomainReconstruction',
                num_levels=5,
                channels=256,
                low_freq_ratio=0.1,
                ratio_range=None,
                filter_size=(16, 16),
                filter_norm='mean'),
            fdr_on_student=False,
            # HSM (eqs. 9-11)
            hsm=dict(type='HyperbolicSimilarityMask', c=1.0, normalize='max'),
            # eq. 14: alpha = 0.06, beta = 0.5
            loss_feat=dict(type='IFKDFeatureLoss', loss_weight=0.06),
            loss_head=dict(type='IFKDHeadLoss', loss_weight=0.5))))

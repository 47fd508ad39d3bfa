# IFKD's distillation settings (eqs. 1-14), shared by every
# configs/ifkd/*_ifkd_r50_* config (tests/test_configs/test_ifkd_configs.py
# checks they stay equal). A config takes them as
#   adapters={{_base_.ifkd_adapters}},
#   distill_losses=dict(ifkd={{_base_.ifkd_loss}})
# The variables below are resolved in this file: to change the MobileSAM
# checkpoint of one run, override model.distill_losses.ifkd.ede.checkpoint
# (e.g. --cfg-options model.distill_losses.ifkd.ede.checkpoint=PATH).
sam_checkpoint = 'checkpoints/mobile_sam.pt'
sam_cache_dir = 'work_dirs/mobile_sam_cache'

# phi_adapt: a 3x3 conv per FPN level (5 levels of 256 channels)
ifkd_adapters = dict(in_channels=256, out_channels=256, num_levels=5)

ifkd_loss = dict(
    type='IFKDLoss',
    # EDE (eq. 1): F_t + sigmoid(MobileSAM features)
    ede=dict(checkpoint=sam_checkpoint, cache_dir=sam_cache_dir),
    # FDR (eqs. 3-8): fixed r, one spectral filter per FPN level
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
    loss_head=dict(type='IFKDHeadLoss', loss_weight=0.5))

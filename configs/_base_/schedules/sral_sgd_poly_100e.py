# SRAL paper Sec. IV-A3: SGD (lr 0.002, momentum 0.9, weight decay 5e-4),
# batch 8, poly decay lr = 0.002 * (1 - iter / max_iter) ** 0.9 per iteration,
# 100 epochs (authors' code); biases without weight decay (authors' code).
optimizer = dict(type='SGD', lr=0.002, momentum=0.9, weight_decay=5e-4)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=optimizer,
    paramwise_cfg=dict(bias_decay_mult=0.0),
    clip_grad=None)
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=0.0,
        power=0.9,
        begin=0,
        end=100,
        by_epoch=True,
        convert_to_iter_based=True)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=100, val_interval=10)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='CheckpointHook', by_epoch=True, interval=10, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
# torch.manual_seed(2021) in the authors' script
randomness = dict(seed=2021)
# lr 0.002 is for a total batch of 8 (e.g. 1 GPU x 8); --auto-scale-lr style
# scaling is off by default as in the paper.
auto_scale_lr = dict(enable=False, base_batch_size=8)
# SyncNormBuffersHook: equal BN statistics on all processes before every
# validation and checkpoint (no-op in one process). SRLossWarmupHook: the
# authors' first epoch with SR loss weight 1 (then sr_head.loss_weight),
# counted in epochs, so it fits any batch size and survives --resume; it
# does nothing for models without an SR head.
custom_hooks = [
    dict(type='SyncNormBuffersHook'),
    dict(type='SRLossWarmupHook', warmup_epochs=1, warmup_loss_weight=1.0)
]

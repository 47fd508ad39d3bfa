# Short iteration-based SGD + poly schedule for demos and smoke runs;
# override train_cfg.max_iters / param_scheduler end together. lr as SRAL's:
# SRAL's SR loss (weight 100) diverges at lr 0.01.
optimizer = dict(type='SGD', lr=0.002, momentum=0.9, weight_decay=5e-4)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=optimizer,
    paramwise_cfg=dict(bias_decay_mult=0.0),
    clip_grad=None)
max_iters = 300
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=0.0,
        power=0.9,
        begin=0,
        end=max_iters,
        by_epoch=False)
]
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='CheckpointHook',
        by_epoch=False,
        interval=max_iters,
        max_keep_ckpts=2),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
randomness = dict(seed=2021)
# equal BN statistics on all processes before every validation and
# checkpoint (no-op in one process); no SR loss warm-up in this short
# schedule (add SRLossWarmupHook to custom_hooks for one)
custom_hooks = [dict(type='SyncNormBuffersHook')]

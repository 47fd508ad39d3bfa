# mmseg's runtime (default_scope='mmseg', env, visualizer, log level) plus the
# mmrsod modules, which register into mmseg's registries.
_base_ = 'mmseg::_base_/default_runtime.py'

custom_imports = dict(
    imports=[
        'mmrsod.datasets', 'mmrsod.models', 'mmrsod.evaluation',
        'mmrsod.engine'
    ],
    allow_failed_imports=False)

# distributed GPU training turns every BatchNorm into torch's SyncBatchNorm
# (the mmseg convention; single-process runs keep BatchNorm, and CPU/gloo
# runs drop it: mmrsod.utils.setup_cpu_distributed)
sync_bn = 'torch'

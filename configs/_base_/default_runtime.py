# mmseg's runtime (default_scope='mmseg', env, visualizer, log level) plus the
# mmrsod modules, which register into mmseg's registries.
_base_ = 'mmseg::_base_/default_runtime.py'

custom_imports = dict(
    imports=[
        'mmrsod.datasets', 'mmrsod.models', 'mmrsod.evaluation',
        'mmrsod.engine'
    ],
    allow_failed_imports=False)

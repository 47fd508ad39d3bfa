# mmdet's runtime (default_scope='mmdet', DetLocalVisualizer, hooks, env)
# plus the mmrsod modules. Detection modules register into mmdet's
# registries; pieces shared with the SOD side register into mmengine's root
# registries and are found from either scope (a child registry falls back to
# its parent).
_base_ = 'mmdet::_base_/default_runtime.py'

custom_imports = dict(
    imports=[
        'mmrsod.datasets', 'mmrsod.models', 'mmrsod.evaluation',
        'mmrsod.engine'
    ],
    allow_failed_imports=False)

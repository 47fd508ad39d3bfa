# Copyright (c) mmrsod contributors. All rights reserved.
import warnings

import torch
from mmengine.config import Config
from mmengine.logging import MMLogger

from mmrsod.utils import (adapt_cfg_to_cpu, quiet_known_log_records,
                          quiet_known_warnings)


def _cfg():
    return Config(
        dict(
            env_cfg=dict(cudnn_benchmark=True, dist_cfg=dict(backend='nccl')),
            default_hooks=dict(logger=dict(type='LoggerHook', interval=50))))


def test_adapt_cfg_to_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    cfg = _cfg()
    assert adapt_cfg_to_cpu(cfg) == [
        'env_cfg.cudnn_benchmark=False', "env_cfg.dist_cfg.backend='gloo'",
        'default_hooks.logger.interval=10'
    ]
    assert cfg.env_cfg.cudnn_benchmark is False
    assert cfg.env_cfg.dist_cfg.backend == 'gloo'
    assert cfg.default_hooks.logger.interval == 10
    # an interval given on the command line is kept
    cfg = _cfg()
    adapt_cfg_to_cpu(cfg, {'default_hooks.logger.interval': 50})
    assert cfg.default_hooks.logger.interval == 50
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    cfg = _cfg()
    assert adapt_cfg_to_cpu(cfg) == [] and cfg.env_cfg.cudnn_benchmark


def test_known_warnings_only_are_quiet(capsys):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        quiet_known_warnings()
        warnings.warn('``build_loss`` would be deprecated soon, please use')
        warnings.warn('The draw is False, it means that the hook for '
                      'visualization will not take effect.')
        warnings.warn('a real problem')
    assert [str(w.message) for w in caught] == ['a real problem']
    logger = MMLogger.get_instance('quiet_test', log_level='WARNING')
    quiet_known_log_records(logger)
    quiet_known_log_records(logger)  # idempotent
    assert len(logger.filters) == 1
    logger.warning('"FileClient" will be deprecated in future. Please use')
    logger.warning('a real log warning')
    err = capsys.readouterr()
    out = err.out + err.err
    assert 'a real log warning' in out and 'FileClient' not in out

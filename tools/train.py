# Copyright (c) mmrsod contributors. All rights reserved.
"""Train a model with mmengine's Runner (OpenMMLab ``tools/train.py``)."""
import mmrsod  # noqa: F401  # isort: skip  (first: quiets pkg_resources)
import argparse
import logging
import os
import os.path as osp

import torch
from mmengine.logging import print_log
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from mmrsod.utils import (InputError, SpaceKeepingDictAction, adapt_cfg_to_cpu,
                          check_norm_batch_size, load_config,
                          quiet_known_log_records, quiet_known_warnings,
                          report_input_errors, setup_cpu_distributed)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from the given checkpoint, or without a value from the '
        'latest checkpoint in the work_dir')
    parser.add_argument(
        '--amp',
        action='store_true',
        default=False,
        help='enable automatic mixed precision training (needs a CUDA GPU)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=SpaceKeepingDictAction,
        help='override settings in the config, key=value; every key must '
        'already exist in the config')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    # torch.distributed.launch passes --local_rank / --local-rank
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def main() -> None:
    args = parse_args()
    quiet_known_warnings()
    with report_input_errors('train.py'):
        cfg = load_config(args.config, args.cfg_options)
        cfg.launcher = args.launcher

        # work_dir: CLI > config > ./work_dirs/<config name>
        if args.work_dir is not None:
            cfg.work_dir = args.work_dir
        elif cfg.get('work_dir', None) is None:
            cfg.work_dir = osp.join('./work_dirs',
                                    osp.splitext(osp.basename(args.config))[0])

        if args.amp and not torch.cuda.is_available():
            raise InputError('--amp needs a CUDA GPU (mmengine\'s '
                             'AmpOptimWrapper asserts on CPU); drop --amp')
        if args.amp:
            optim_wrapper = cfg.optim_wrapper.type
            if optim_wrapper == 'AmpOptimWrapper':
                print_log(
                    'AMP training is already enabled in your config.',
                    logger='current',
                    level=logging.WARNING)
            else:
                assert optim_wrapper == 'OptimWrapper', (
                    '`--amp` is only supported when the optimizer wrapper '
                    f'type is `OptimWrapper` but got {optim_wrapper}.')
                cfg.optim_wrapper.type = 'AmpOptimWrapper'
                cfg.optim_wrapper.loss_scale = 'dynamic'

        if args.resume == 'auto':
            cfg.resume = True
            cfg.load_from = None
        elif args.resume is not None:
            if not osp.isfile(args.resume):
                raise InputError(f'--resume checkpoint not found: '
                                 f'{args.resume}')
            cfg.resume = True
            cfg.load_from = args.resume

        adapt_cfg_to_cpu(cfg, args.cfg_options)
        setup_cpu_distributed(cfg, args.launcher)
        if 'runner_type' not in cfg:
            runner = Runner.from_cfg(cfg)
        else:
            runner = RUNNERS.build(cfg)
        quiet_known_log_records(runner.logger)
        # the runner has converted BN to SyncBN where it applies
        check_norm_batch_size(runner.model, cfg.train_dataloader.batch_size)
        runner.train()


if __name__ == '__main__':
    main()

# Copyright (c) mmrsod contributors. All rights reserved.
"""Data-loader throughput vs training-step time of a detection config.

The question it answers: at the config's batch size and ``num_workers``, can
the training data loader (decode, LR downsampling, packing) feed the model
faster than the model trains? Three measurements, after warm-up:

1. **loader**: batches drawn from ``train_dataloader`` alone (images/s);
2. **model**: ``model.train_step`` (data preprocessor, forward, backward,
   optimiser step) repeated on one cached batch (s/step and images/s);
3. **together**: the two interleaved as in training (each step fetches a
   fresh batch); the time spent waiting for the loader per step says
   whether it is the bottleneck.

The model starts from its constructor initialisation (``init_cfg`` of the
backbone is dropped: nothing is downloaded), which does not change the
cost of a step. On a CPU-only machine the loader's workers and the model
share the cores, so (1) and (2) are each measured alone and (3) shows the
combined effect.

Example::

    python tools/analysis_tools/benchmark_det_pipeline.py \
        configs/dino/dino-4scale_swin-t_1xb2-12e_nwpu-lr2x.py \
        --loader-batches 50 --steps 5

``--sr-stage 1`` / ``--sr-stage 2`` time a gradient-routed model (SDCoNet)
in either training stage (the SR branch off or on).
"""
import mmrsod  # noqa: F401  # isort: skip  (first: quiets pkg_resources)
import argparse
import copy
import logging
import platform
import statistics
import time
from typing import Iterator, List

import torch
from mmengine.logging import MMLogger
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from mmrsod.utils import (InputError, SpaceKeepingDictAction, load_config,
                          quiet_known_warnings, report_input_errors)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Benchmark the detection data loader against the '
        'model training step')
    parser.add_argument('config', help='detection config file')
    parser.add_argument(
        '--loader-batches',
        type=int,
        default=20,
        help='timed batches for the loader alone')
    parser.add_argument(
        '--steps', type=int, default=3, help='timed training steps')
    parser.add_argument(
        '--warmup',
        type=int,
        default=1,
        help='untimed batches / steps before each measurement (the first '
        'batch also starts the workers)')
    parser.add_argument(
        '--num-workers',
        type=int,
        default=None,
        help='override train_dataloader.num_workers')
    parser.add_argument(
        '--batch-size',
        type=int,
        default=None,
        help='override train_dataloader.batch_size')
    parser.add_argument(
        '--sr-stage',
        type=int,
        choices=(1, 2),
        default=None,
        help='for models with a gradient-routed SR branch (SDCoNet, '
        'CascadeRCNNSR): time the step of stage 1 (SR branch off) or '
        'stage 2 (SR branch on); default: the model as built (SR on)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=SpaceKeepingDictAction,
        help='override settings in the config, key=value')
    return parser.parse_args()


def endless(loader) -> Iterator:
    """Iterate ``loader`` for ever (re-starting it after each epoch)."""
    while True:
        for batch in loader:
            yield batch


def time_loader(batches: Iterator, warmup: int, num: int,
                batch_size: int) -> float:
    """Images per second of drawing ``num`` batches after ``warmup``."""
    for _ in range(warmup):
        next(batches)
    start = time.perf_counter()
    for _ in range(num):
        next(batches)
    return num * batch_size / (time.perf_counter() - start)


def main() -> None:
    args = parse_args()
    quiet_known_warnings()
    with report_input_errors('benchmark_det_pipeline.py'):
        cfg = load_config(args.config, args.cfg_options)
        if min(args.loader_batches, args.steps) < 1 or args.warmup < 0:
            raise InputError('--loader-batches and --steps must be >= 1 and '
                             '--warmup >= 0')
        loader_cfg = copy.deepcopy(cfg.train_dataloader)
        if args.num_workers is not None:
            loader_cfg.num_workers = args.num_workers
        if args.batch_size is not None:
            loader_cfg.batch_size = args.batch_size
        if loader_cfg.get('num_workers', 0) == 0:
            loader_cfg.persistent_workers = False
        init_default_scope(cfg.get('default_scope', 'mmdet'))
        loader = Runner.build_dataloader(loader_cfg, seed=0)
    batch_size = loader_cfg.batch_size
    workers = loader_cfg.get('num_workers', 0)
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    where = (
        torch.cuda.get_device_name(0) if device == 'cuda' else
        f'CPU ({platform.machine()}, {torch.get_num_threads()} threads)')
    print(f'torch {torch.__version__}, model on {where}; batch size '
          f'{batch_size}, {workers} loader workers, {len(loader.dataset)} '
          'training images')

    batches = endless(loader)
    loader_ips = time_loader(batches, args.warmup, args.loader_batches,
                             batch_size)
    print(f'loader alone: {loader_ips:.2f} img/s '
          f'({args.loader_batches} batches)')

    from mmengine.registry import MODELS
    model_cfg = copy.deepcopy(cfg.model)
    if model_cfg.get('backbone', {}).get('init_cfg') is not None:
        model_cfg.backbone.init_cfg = None
    # mmengine logs one INFO line per parameter while initialising the
    # weights and building a paramwise optimiser: keep the output readable
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        model = MODELS.build(model_cfg).to(device)
        model.init_weights()
        optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    finally:
        logger.setLevel(level)
    model.train()
    if args.sr_stage is not None:
        if not hasattr(model, 'set_sr_active') or getattr(
                model, 'sr_head', None) is None:
            with report_input_errors('benchmark_det_pipeline.py'):
                raise InputError(f'--sr-stage: {cfg.model.type} of '
                                 f'{args.config} has no SR branch')
        model.set_sr_active(args.sr_stage == 2)
        print(f'SR branch: stage {args.sr_stage} '
              f'({"on" if args.sr_stage == 2 else "off"})')
    cached = next(batches)

    def step(batch) -> None:
        model.train_step(batch, optim_wrapper)
        if device == 'cuda':
            torch.cuda.synchronize()

    for _ in range(args.warmup):
        step(cached)
    times: List[float] = []
    for _ in range(args.steps):
        start = time.perf_counter()
        step(cached)
        times.append(time.perf_counter() - start)
    step_s = statistics.median(times)
    print(f'model train step alone: {step_s:.3f} s/step (median of '
          f'{args.steps}) = {batch_size / step_s:.2f} img/s')

    waits, totals = [], []
    for idx in range(args.warmup + args.steps):
        start = time.perf_counter()
        batch = next(batches)
        fetched = time.perf_counter()
        step(batch)
        if idx >= args.warmup:
            waits.append(fetched - start)
            totals.append(time.perf_counter() - start)
    wait = statistics.mean(waits)
    total = statistics.mean(totals)
    print(f'together: {total:.3f} s/step, of which {wait:.3f} s waiting '
          f'for data ({100 * wait / total:.1f} %) = '
          f'{batch_size / total:.2f} img/s')
    ratio = loader_ips / (batch_size / step_s)
    verdict = ('the loader is NOT the bottleneck'
               if ratio > 1 else 'the loader IS the bottleneck')
    print(f'loader / model throughput: {ratio:.2f}x: {verdict}')


if __name__ == '__main__':
    main()

# Copyright (c) mmrsod contributors. All rights reserved.
"""Inference speed (images/s) of a config's test-time network.

Times the network forward (``mode='tensor'``, training-only branches removed)
on random inputs after warm-up, and reports the median over ``--repeat``
runs. With ``--baseline CONFIG2`` both models are timed in the same process,
interleaved run by run, and the speed ratio is printed.

By default both models run the fast inference path of
:func:`mmrsod.apis.init_model` (BatchNorm folded into the convolutions,
``channels_last`` weights; see
:func:`mmrsod.models.utils.prepare_fast_inference`); ``--no-fast`` times
the plain eval model. Forwards run under ``torch.inference_mode``.

Example::

    python tools/analysis_tools/benchmark.py \
        configs/sral/sral_r50_1xb8-100e_eorssd.py \
        --baseline configs/sral/sral-baseline448_r50_1xb8-100e_eorssd.py \
        --threads 2
"""
import argparse
import platform
import statistics
import time
from typing import Callable, List, Optional

import torch

from mmrsod.models.utils import (NetworkForward, build_test_model,
                                 input_shape_from_cfg)
from mmrsod.utils import (SpaceKeepingDictAction, load_config,
                          quiet_known_warnings, report_input_errors)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Benchmark inference speed')
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', nargs='?', help='checkpoint (optional)')
    parser.add_argument(
        '--shape', type=int, nargs='+', help='input H [W] of CONFIG')
    parser.add_argument('--baseline', help='a second config to compare with')
    parser.add_argument(
        '--baseline-shape', type=int, nargs='+', help='input H [W]')
    parser.add_argument('--batch-size', type=int, default=1)
    parser.add_argument(
        '--num-iters', type=int, default=20, help='timed iterations per run')
    parser.add_argument('--warmup', type=int, default=5)
    parser.add_argument(
        '--repeat', type=int, default=3, help='runs; the median is reported')
    parser.add_argument('--device', default=None, help='cpu or cuda')
    parser.add_argument(
        '--threads', type=int, default=None, help='torch CPU threads')
    parser.add_argument(
        '--no-fast',
        action='store_true',
        help='time the plain eval model (no BN folding, no channels_last)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=SpaceKeepingDictAction,
        help='override settings in CONFIG, key=value')
    return parser.parse_args()


def make_runner(cfg_path: str,
                checkpoint: Optional[str],
                shape,
                batch: int,
                device: str,
                cfg_options=None,
                fast: bool = True):
    """Build a model and return (a timed-iteration callable, input shape)."""
    with report_input_errors('benchmark.py'):
        cfg = load_config(cfg_path, cfg_options)
        height, width = input_shape_from_cfg(cfg, shape)
    net = NetworkForward(
        build_test_model(cfg, checkpoint, device=device, fast=fast))
    inputs = torch.randn(batch, 3, height, width, device=device)

    def step() -> None:
        with torch.inference_mode():
            net(inputs)
        if device.startswith('cuda'):
            torch.cuda.synchronize()

    return step, (height, width)


def time_run(step: Callable[[], None], warmup: int, iters: int) -> float:
    """Images-per-step-independent timing: returns seconds per iteration."""
    for _ in range(warmup):
        step()
    start = time.perf_counter()
    for _ in range(iters):
        step()
    return (time.perf_counter() - start) / iters


def main() -> None:
    args = parse_args()
    quiet_known_warnings()
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    if args.threads:
        torch.set_num_threads(args.threads)
    device_name = (
        torch.cuda.get_device_name(0) if device.startswith('cuda') else
        f'CPU ({platform.processor() or platform.machine()}, '
        f'{torch.get_num_threads()} threads)')
    path = 'plain' if args.no_fast else 'fast (BN folded, channels_last)'
    print(f'torch {torch.__version__}, device: {device_name}, '
          f'{path} path, '
          f'batch size {args.batch_size}, {args.warmup} warm-up + '
          f'{args.num_iters} timed iterations x {args.repeat} runs')

    entries = [('model', args.config, args.checkpoint, args.shape,
                args.cfg_options)]
    if args.baseline:
        entries.append(
            ('baseline', args.baseline, None, args.baseline_shape, None))
    runners = []
    for name, cfg_path, ckpt, shape, options in entries:
        step, hw = make_runner(cfg_path, ckpt, shape, args.batch_size, device,
                               options, not args.no_fast)
        runners.append((name, cfg_path, hw, step))

    times: List[List[float]] = [[] for _ in runners]
    for _ in range(args.repeat):  # interleave models run by run
        for idx, (_, _, _, step) in enumerate(runners):
            times[idx].append(time_run(step, args.warmup, args.num_iters))

    speeds = []
    for (name, cfg_path, (h, w), _), runs in zip(runners, times):
        med = statistics.median(runs)
        fps = args.batch_size / med
        speeds.append(fps)
        runs_fps = ', '.join(f'{args.batch_size / t:.2f}' for t in runs)
        print(f'{name}: {cfg_path} input {h}x{w}: {fps:.2f} img/s '
              f'(median; runs: {runs_fps}), {med * 1000:.1f} ms/iter')
    if len(speeds) == 2:
        print(f'speed ratio model/baseline: {speeds[0] / speeds[1]:.2f}x')


if __name__ == '__main__':
    main()

# Copyright (c) mmrsod contributors. All rights reserved.
"""FLOPs (whole model and transformer encoder), parameters and speed of
several detection configs' test-time networks, side by side.

Made for SDCoNet's query-token filtering ablation (Table IX: joint vs no /
layer-wise / scale-level filtering) and for the test-time model vs DINO
Swin-T: each config is built as it runs at test time
(:func:`mmrsod.models.utils.build_test_model` removes training-only
branches such as SDCoNet's SR decoder), its FLOPs are counted by mmengine's
:class:`~mmengine.analysis.FlopAnalyzer` for one image, once for the whole
network forward and once for the encoder module alone, and its inference
speed is the median images/s over ``--num-iters`` timed forwards at batch
1 after ``--warmup`` untimed ones. The first config is the reference of
the ratio columns.

FLOPs are those of the **CPU path of deformable attention**: mmengine
counts the ``grid_sampler`` ops of mmcv's pure-PyTorch fallback, which
mmcv's CUDA kernel replaces on a GPU. One fused multiply-add = 1 FLOP.

Example::

    python tools/analysis_tools/benchmark_token_filtering.py \
        configs/sdconet/sdconet-filter-none_swin-t_1xb2-36e_nwpu-lr2x.py \
        configs/sdconet/sdconet-filter-layer_swin-t_1xb2-36e_nwpu-lr2x.py \
        configs/sdconet/sdconet-filter-scale_swin-t_1xb2-36e_nwpu-lr2x.py \
        configs/sdconet/sdconet_swin-t_1xb2-36e_nwpu-lr2x.py \
        --threads 2 --out work_dirs/token_filtering.json
"""
import argparse
import json
import platform
import statistics
import time
from typing import Any, Dict, List, Optional, Sequence

import torch
from mmengine.analysis import FlopAnalyzer
from mmengine.analysis.print_helper import _format_size
from torch import nn

from mmrsod.models.utils import (NetworkForward, build_test_model,
                                 input_shape_from_cfg)
from mmrsod.utils import (SpaceKeepingDictAction, load_config,
                          quiet_known_warnings, report_input_errors)
from mmrsod.utils.atomic_io import atomic_write_bytes
from mmrsod.utils.errors import ConfigError

__all__ = [
    'FLOPS_PATH_NOTE', 'measure_config', 'format_table', 'module_flops', 'main'
]

PROG = 'benchmark_token_filtering.py'
FLOPS_PATH_NOTE = (
    'FLOPs counted by mmengine on the CPU path of deformable attention '
    "(the grid_sampler ops of mmcv's PyTorch fallback, not mmcv's CUDA "
    'kernel); one fused multiply-add = 1 FLOP; batch 1.')


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description='Whole-model and encoder FLOPs, params and img/s of '
        'detection configs (test-time models), as a markdown table')
    parser.add_argument(
        'configs',
        nargs='+',
        metavar='CONFIG',
        help='config files; the '
        'first is the reference of the ratio columns')
    parser.add_argument(
        '--shape',
        type=int,
        nargs='+',
        default=None,
        help='input H [W] (default: tile_size // lr_scale of each config, '
        '256 for NWPU)')
    parser.add_argument(
        '--threads', type=int, default=None, help='torch CPU threads')
    parser.add_argument(
        '--num-iters',
        type=int,
        default=10,
        help='timed forwards per config (the median is reported)')
    parser.add_argument(
        '--warmup', type=int, default=2, help='untimed forwards first')
    parser.add_argument(
        '--encoder-module',
        default='encoder',
        help="name of the encoder submodule of the detector ('encoder' for "
        'DINO and SDCoNet)')
    parser.add_argument('--out', help='also write the results to this JSON')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=SpaceKeepingDictAction,
        help='override settings in every config, key=value')
    return parser.parse_args(argv)


def module_flops(by_module: Dict[str, int], name: str) -> int:
    """FLOPs of the submodule ``name`` of the analysed network.

    Args:
        by_module (dict[str, int]): ``FlopAnalyzer.by_module()`` of a
            :class:`NetworkForward` (module names start with ``model.``).
        name (str): The detector's submodule, e.g. ``'encoder'``.

    Returns:
        int: Its FLOPs.

    Raises:
        ConfigError: if the detector has no such submodule.
    """
    key = f'model.{name}'
    if key not in by_module:
        top = sorted({
            k.split('.')[1]
            for k in by_module if k.count('.') >= 1 and k.startswith('model.')
        })
        raise ConfigError(f'the model has no submodule {name!r} '
                          f'(--encoder-module); it has: {", ".join(top)}')
    return int(by_module[key])


def _time_forward(net: nn.Module, inputs: torch.Tensor, warmup: int,
                  iters: int) -> List[float]:
    """Seconds of each timed forward (after ``warmup`` untimed ones)."""
    times = []
    with torch.inference_mode():
        for _ in range(warmup):
            net(inputs)
        for _ in range(iters):
            start = time.perf_counter()
            net(inputs)
            times.append(time.perf_counter() - start)
    return times


def measure_config(path: str,
                   shape: Optional[Sequence[int]] = None,
                   cfg_options: Optional[dict] = None,
                   encoder_module: str = 'encoder',
                   warmup: int = 2,
                   num_iters: int = 10) -> Dict[str, Any]:
    """Params, FLOPs (whole and encoder) and img/s of one config.

    Args:
        path (str): Config file.
        shape (Sequence[int], optional): ``[S]`` or ``[H, W]``; default
            the config's LR input size.
        cfg_options (dict, optional): ``--cfg-options``.
        encoder_module (str): The detector's encoder submodule name.
        warmup (int): Untimed forwards before timing.
        num_iters (int): Timed forwards (batch 1).

    Returns:
        dict: ``config``, ``model`` (class name), ``input_shape`` [H, W],
        ``params``, ``flops``, ``encoder_flops``, ``img_per_s`` (median),
        ``ms_per_img`` (median) and ``ms_per_img_runs`` (every timed
        forward).
    """
    cfg = load_config(path, cfg_options)
    height, width = input_shape_from_cfg(cfg, shape)
    model = build_test_model(cfg, strip_auxiliary=True)
    net = NetworkForward(model).eval()
    inputs = torch.randn(1, 3, height, width)
    with torch.no_grad():
        analyzer = FlopAnalyzer(net, (inputs, ))
        analyzer.unsupported_ops_warnings(False)
        analyzer.uncalled_modules_warnings(False)
        flops = int(analyzer.total())
        encoder_flops = module_flops(analyzer.by_module(), encoder_module)
    runs = _time_forward(net, inputs, warmup, num_iters)
    median = statistics.median(runs)
    return dict(
        config=path,
        model=type(model).__name__,
        input_shape=[height, width],
        params=int(sum(p.numel() for p in model.parameters())),
        flops=flops,
        encoder_flops=encoder_flops,
        img_per_s=1.0 / median,
        ms_per_img=median * 1000.0,
        ms_per_img_runs=[t * 1000.0 for t in runs])


def _ratio(value: float, reference: float) -> str:
    return f'{value / reference:.3f}x' if reference else 'n/a'


def format_table(results: List[Dict[str, Any]],
                 encoder_module: str = 'encoder') -> str:
    """A markdown table of :func:`measure_config` results.

    Args:
        results (list[dict]): One entry per config; the first is the
            reference of the ratio columns.
        encoder_module (str): Name of the separately counted submodule,
            used in the column titles.

    Returns:
        str: The table (header, separator, one row per config).
    """
    ref = results[0]
    part = f'FLOPs {encoder_module}'
    lines = [
        f'| config | input | params | FLOPs whole | {part} | img/s | '
        f'FLOPs whole vs first | {part} vs first | img/s vs first |',
        '|---|---|---:|---:|---:|---:|---:|---:|---:|'
    ]
    for res in results:
        height, width = res['input_shape']
        lines.append(f"| {res['config']} | {height}x{width} | "
                     f"{_format_size(res['params'])} | "
                     f"{_format_size(res['flops'])} | "
                     f"{_format_size(res['encoder_flops'])} | "
                     f"{res['img_per_s']:.2f} | "
                     f"{_ratio(res['flops'], ref['flops'])} | "
                     f"{_ratio(res['encoder_flops'], ref['encoder_flops'])} | "
                     f"{_ratio(res['img_per_s'], ref['img_per_s'])} |")
    return '\n'.join(lines)


def _device_line(threads: int) -> str:
    cpu = platform.processor() or platform.machine()
    return f'torch {torch.__version__}, CPU ({cpu}), {threads} threads'


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point; returns the exit status."""
    args = parse_args(argv)
    quiet_known_warnings()
    with report_input_errors(PROG):
        if args.num_iters < 1 or args.warmup < 0:
            raise ConfigError('--num-iters must be >= 1 and --warmup >= 0')
        if args.threads:
            torch.set_num_threads(args.threads)
        results = []
        for path in args.configs:
            results.append(
                measure_config(path, args.shape, args.cfg_options,
                               args.encoder_module, args.warmup,
                               args.num_iters))
    header = (f'{_device_line(torch.get_num_threads())}; test-time models '
              '(training-only branches removed), plain eval path, batch 1, '
              f'{args.warmup} warm-up + {args.num_iters} timed forwards, '
              'img/s = 1 / median')
    table = format_table(results, args.encoder_module)
    print(header)
    print(FLOPS_PATH_NOTE)
    print()
    print(table)
    if args.out:
        payload = dict(
            device=_device_line(torch.get_num_threads()),
            threads=torch.get_num_threads(),
            warmup=args.warmup,
            num_iters=args.num_iters,
            flops_note=FLOPS_PATH_NOTE,
            encoder_module=args.encoder_module,
            reference=results[0]['config'],
            results=results)
        atomic_write_bytes((json.dumps(payload, indent=2) + '\n').encode(),
                           args.out)
        print(f'\nwrote {args.out}')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())

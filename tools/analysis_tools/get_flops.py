# Copyright (c) mmrsod contributors. All rights reserved.
"""Parameters and FLOPs of a config's test-time network.

Uses mmengine's analysis tools (``get_model_complexity_info``). Training-only
branches (e.g. SRAL's ASRD and TFGM) are removed first. With ``--keep-aux``
``Params`` is the training model's count (with those branches) and the
test-time count is printed next to it; FLOPs are always those of the
test-time forward (the training-only branches do not run in it), and each
line says which model it describes.

Example::

    python tools/analysis_tools/get_flops.py \
        configs/sral/sral_r50_1xb8-100e_eorssd.py --shape 224
"""
import argparse

import torch
from mmengine.analysis import get_model_complexity_info

from mmrsod.models.utils import (NetworkForward, build_test_model,
                                 input_shape_from_cfg)
from mmrsod.utils import (SpaceKeepingDictAction, load_config,
                          quiet_known_warnings, report_input_errors)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Get the parameters and FLOPs of a model')
    parser.add_argument('config', help='config file path')
    parser.add_argument(
        '--shape',
        type=int,
        nargs='+',
        default=None,
        help='input H [W] (default: the data preprocessor size or 224)')
    parser.add_argument(
        '--keep-aux',
        action='store_true',
        help='also report the parameters of the training model (with its '
        'training-only branches); FLOPs stay those of the test-time forward')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=SpaceKeepingDictAction,
        help='override settings in the config, key=value')
    return parser.parse_args()


def _fmt_count(num: int) -> str:
    """Format a parameter count as mmengine does (e.g. ``25.6M``)."""
    from mmengine.analysis.print_helper import _format_size
    return _format_size(num)


def main() -> None:
    args = parse_args()
    quiet_known_warnings()
    with report_input_errors('get_flops.py'):
        cfg = load_config(args.config, args.cfg_options)
        height, width = input_shape_from_cfg(cfg, args.shape)
    train_params = None
    if args.keep_aux:
        full = build_test_model(cfg, strip_auxiliary=False)
        train_params = sum(p.numel() for p in full.parameters())
        del full
    model = build_test_model(cfg, strip_auxiliary=True)
    inputs = torch.randn(1, 3, height, width)
    with torch.no_grad():
        info = get_model_complexity_info(
            NetworkForward(model),
            inputs=(inputs, ),
            show_table=False,
            show_arch=False)
    split_line = '=' * 40
    lines = [
        split_line, f'Config: {args.config}',
        f'Input shape: (1, 3, {height}, {width})'
    ]
    flops = (f'Flops: {info["flops_str"]} ({info["flops"]:.4e})'
             ' [test-time forward]')
    if train_params is None:
        lines += [
            'Model: test-time (training-only branches removed)', flops,
            f'Params: {info["params_str"]} ({info["params"]}) [test-time '
            'model]'
        ]
    else:
        lines += [
            'Model: training (with training-only branches) and test-time',
            flops, f'Params: {_fmt_count(train_params)} ({train_params}) '
            '[training model, with training-only branches]',
            f'Test-time params: {info["params_str"]} ({info["params"]}) '
            '[training-only branches removed]'
        ]
    print('\n'.join(lines + [split_line]))
    print('FLOPs are counted by mmengine (one fused multiply-add = 1 FLOP); '
          'check that all ops are supported before using them in a paper.')


if __name__ == '__main__':
    main()

# Copyright (c) mmrsod contributors. All rights reserved.
"""Parameters and FLOPs of a config's test-time network.

Uses mmengine's analysis tools (``get_model_complexity_info``). Training-only
branches (e.g. SRAL's ASRD and TFGM) are removed first unless ``--keep-aux``.

Example::

    python tools/analysis_tools/get_flops.py \
        configs/sral/sral_r50_sgd-100e_eorssd.py --shape 224
"""
import argparse

import torch
from mmengine.analysis import get_model_complexity_info

from mmrsod.apis import (NetworkForward, build_test_model,
                         input_shape_from_cfg, report_input_errors)
from mmrsod.utils import (SpaceKeepingDictAction, load_config,
                          quiet_known_warnings)


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
        help='keep training-only branches (default: test-time model)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=SpaceKeepingDictAction,
        help='override settings in the config, key=value')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    quiet_known_warnings()
    with report_input_errors('get_flops.py'):
        cfg = load_config(args.config, args.cfg_options)
        height, width = input_shape_from_cfg(cfg, args.shape)
    model = build_test_model(cfg, strip_auxiliary=not args.keep_aux)
    inputs = torch.randn(1, 3, height, width)
    with torch.no_grad():
        info = get_model_complexity_info(
            NetworkForward(model),
            inputs=(inputs, ),
            show_table=False,
            show_arch=False)
    split_line = '=' * 40
    print(f'{split_line}\nConfig: {args.config}\n'
          f'Input shape: (1, 3, {height}, {width})\n'
          f'Model: {"with" if args.keep_aux else "without"} '
          'training-only branches\n'
          f'Flops: {info["flops_str"]} ({info["flops"]:.4e})\n'
          f'Params: {info["params_str"]} ({info["params"]})\n{split_line}')
    print('FLOPs are counted by mmengine (one fused multiply-add = 1 FLOP); '
          'check that all ops are supported before using them in a paper.')


if __name__ == '__main__':
    main()

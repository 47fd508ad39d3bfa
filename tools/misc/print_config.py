# Copyright (c) mmrsod contributors. All rights reserved.
"""Print the full (inherited and overridden) config."""
import argparse

from mmrsod.utils import (SpaceKeepingDictAction, load_config,
                          report_input_errors)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Print the whole config')
    parser.add_argument('config', help='config file path')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=SpaceKeepingDictAction,
        help='override settings in the config, key=value')
    parser.add_argument(
        '--save-path', help='also dump the resolved config to this file')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with report_input_errors('print_config.py'):
        cfg = load_config(args.config, args.cfg_options)
    print(f'Config:\n{cfg.pretty_text}')
    if args.save_path is not None:
        cfg.dump(args.save_path)
        print(f'Config saved to {args.save_path}')


if __name__ == '__main__':
    main()

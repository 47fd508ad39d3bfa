# Copyright (c) mmrsod contributors. All rights reserved.
"""Generate the small synthetic remote-sensing SOD demo dataset.

Example::

    python tools/misc/generate_demo_data.py data/demo_sod
    python tools/misc/generate_demo_data.py data/demo_sod --num-train 96 \
        --num-test 32 --size 256 --seed 0 --overwrite

The output has the ORSSD layout (``{train,test}-{images,labels}``) and loads
with ``dict(type='SODDataset', data_root=OUT_DIR, layout='orssd',
split='train')``. The same arguments always give byte-identical files.
"""
import argparse
import sys
import time

__all__ = ['main', 'parse_args']


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description='Generate a deterministic synthetic remote-sensing '
        'salient object detection dataset (ORSSD layout).')
    parser.add_argument('out_dir', help='output folder (must not exist)')
    parser.add_argument(
        '--num-train', type=int, default=48, help='training pairs (48)')
    parser.add_argument(
        '--num-test', type=int, default=16, help='test pairs (16)')
    parser.add_argument(
        '--size', type=int, default=256, help='image side in pixels (256)')
    parser.add_argument('--seed', type=int, default=0, help='random seed (0)')
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='replace OUT_DIR if it exists')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Entry point; returns the process exit status."""
    args = parse_args(argv)
    from mmrsod.testing import generate_demo_dataset
    start = time.time()
    try:
        info = generate_demo_dataset(
            args.out_dir,
            num_train=args.num_train,
            num_test=args.num_test,
            size=args.size,
            seed=args.seed,
            overwrite=args.overwrite)
    except (FileExistsError, ValueError) as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 2
    print(f'wrote {info["num_train"]} train + {info["num_test"]} test '
          f'pairs ({info["size"]}x{info["size"]}, seed {info["seed"]}) to '
          f'{info["out_dir"]} in {time.time() - start:.1f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())

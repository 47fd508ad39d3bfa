# Copyright (c) mmrsod contributors. All rights reserved.
"""Generate a small synthetic remote-sensing demo dataset.

Example::

    python tools/misc/generate_demo_data.py data/demo_sod
    python tools/misc/generate_demo_data.py data/demo_sod --num-train 96 \
        --num-test 32 --size 256 --seed 0 --overwrite
    python tools/misc/generate_demo_data.py data/demo_det --task det \
        --num-images 40

``--task sod`` (the default) writes the ORSSD layout
(``{train,test}-{images,labels}``), which loads with
``dict(type='SODDataset', data_root=OUT_DIR, layout='orssd',
split='train')``. ``--task det`` writes the NWPU VHR-10 release layout
(``positive image set/``, ``ground truth/``) with airplanes, ships, storage
tanks and vehicles, for ``tools/dataset_converters/nwpu_vhr10.py``. The
same arguments always give byte-identical files.
"""
import argparse
import sys
import time

__all__ = ['main', 'parse_args']

_SOD_DEFAULTS = dict(num_train=48, num_test=16, size=256)


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description='Generate a deterministic synthetic remote-sensing '
        'dataset: salient object detection (ORSSD layout, default) or '
        'object detection (NWPU VHR-10 layout, --task det).')
    parser.add_argument('out_dir', help='output folder (must not exist)')
    parser.add_argument(
        '--task',
        choices=['sod', 'det'],
        default='sod',
        help='sod: ORSSD-layout saliency set (default); det: NWPU '
        'VHR-10-layout detection set')
    parser.add_argument(
        '--num-train', type=int, help='sod: training pairs (48)')
    parser.add_argument('--num-test', type=int, help='sod: test pairs (16)')
    parser.add_argument(
        '--size', type=int, help='sod: image side in pixels (256)')
    parser.add_argument(
        '--num-images',
        type=int,
        help='det: images (40), split later by '
        'the NWPU converter')
    parser.add_argument('--seed', type=int, default=0, help='random seed (0)')
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='replace OUT_DIR if it exists')
    args = parser.parse_args(argv)
    if args.task == 'det':
        wrong = [
            f'--{k.replace("_", "-")}' for k in _SOD_DEFAULTS
            if getattr(args, k) is not None
        ]
        if wrong:
            parser.error(f'{", ".join(wrong)}: only for --task sod')
        if args.num_images is None:
            args.num_images = 40
    else:
        if args.num_images is not None:
            parser.error('--num-images: only for --task det')
        for key, value in _SOD_DEFAULTS.items():
            if getattr(args, key) is None:
                setattr(args, key, value)
    return args


def main(argv=None) -> int:
    """Entry point; returns the process exit status."""
    args = parse_args(argv)
    start = time.time()
    try:
        if args.task == 'det':
            from mmrsod.testing import generate_det_demo
            info = generate_det_demo(
                args.out_dir,
                num_images=args.num_images,
                seed=args.seed,
                overwrite=args.overwrite)
        else:
            from mmrsod.testing import generate_demo_dataset
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
    if args.task == 'det':
        per_class = ', '.join(f'{k}: {v}'
                              for k, v in info['boxes_per_class'].items())
        print(f'wrote {info["num_images"]} images with {info["num_boxes"]} '
              f'boxes ({per_class}; seed {info["seed"]}, NWPU VHR-10 '
              f'layout) to {info["out_dir"]} in {time.time() - start:.1f} s')
    else:
        print(f'wrote {info["num_train"]} train + {info["num_test"]} test '
              f'pairs ({info["size"]}x{info["size"]}, seed {info["seed"]}) '
              f'to {info["out_dir"]} in {time.time() - start:.1f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())

# Copyright (c) mmrsod contributors. All rights reserved.
"""Saliency maps and overlays for an image or a folder of images.

For every input image ``NAME.EXT`` it writes, into ``--out-dir``:

* ``NAME_saliency.png``: the saliency probability map at the image's own
  size as 8-bit gray (``round(255 * p)``);
* ``NAME_overlay.png``: the image with the map painted in red
  (``(1 - a * p) * image + a * p * red``, ``a = --opacity``).

When two inputs share a stem (``a.jpg`` and ``a.png``) the extension is
kept in the name (``a_jpg_saliency.png``). Files are written atomically and
an input file is never overwritten.

Example::

    python demo/image_demo.py path/to/images \\
        configs/sral/sral_r50_1xb8-100e_eorssd.py sral_r50.pth --out-dir maps
"""
import argparse
import os.path as osp
import sys
from collections import Counter
from typing import Dict, List

import cv2
import numpy as np
from mmengine.utils import ProgressBar

from mmrsod.apis import collect_images, inference_model, init_model, load_image
from mmrsod.utils import (InputError, SpaceKeepingDictAction,
                          atomic_write_bytes, report_input_errors)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Saliency maps and overlays for images')
    parser.add_argument('img', help='an image file or a folder of images')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--out-dir', required=True, help='folder for the output PNGs')
    parser.add_argument('--device', default='cpu', help='e.g. cpu, cuda:0')
    parser.add_argument(
        '--no-fast',
        action='store_true',
        help='run the plain eval model (no BN folding, no channels_last)')
    parser.add_argument(
        '--batch-size', type=int, default=1, help='images per forward')
    parser.add_argument(
        '--opacity',
        type=float,
        default=0.5,
        help='overlay strength of the map, in [0, 1]')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=SpaceKeepingDictAction,
        help='override settings in the config, key=value')
    return parser.parse_args()


def output_names(paths: List[str]) -> Dict[str, str]:
    """Output stem per input path (the file stem, or stem_ext if shared)."""
    stems = [osp.splitext(osp.basename(p))[0] for p in paths]
    counts = Counter(stems)
    names = {}
    for path, stem in zip(paths, stems):
        if counts[stem] > 1:
            ext = osp.splitext(path)[1].lstrip('.')
            stem = f'{stem}_{ext}'
        names[path] = stem
    return names


def overlay(img: np.ndarray, prob: np.ndarray, opacity: float) -> np.ndarray:
    """Paint ``prob`` in red over a BGR ``uint8`` image.

    Args:
        img (np.ndarray): (H, W, 3) BGR ``uint8``.
        prob (np.ndarray): (H, W) probabilities in [0, 1].
        opacity (float): Weight of the red at probability 1.

    Returns:
        np.ndarray: (H, W, 3) BGR ``uint8``.
    """
    alpha = (opacity * prob)[..., None]
    red = np.array([0, 0, 255], dtype=np.float32)
    out = (1 - alpha) * img.astype(np.float32) + alpha * red
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def _write_png(array: np.ndarray, path: str) -> None:
    ok, buf = cv2.imencode('.png', array)
    if not ok:
        raise RuntimeError(f'cannot encode PNG for {path}')
    atomic_write_bytes(buf.tobytes(), path)


def main() -> None:
    args = parse_args()
    with report_input_errors('image_demo.py'):
        if args.batch_size < 1:
            raise InputError(f'--batch-size must be >= 1, got '
                             f'{args.batch_size}')
        if not 0 <= args.opacity <= 1:
            raise InputError(f'--opacity must be in [0, 1], got '
                             f'{args.opacity}')
        if osp.isdir(args.img):
            paths = collect_images(args.img)
        elif osp.isfile(args.img):
            paths = [args.img]
        else:
            raise InputError(f'image or folder not found: {args.img}')
        model = init_model(
            args.config,
            args.checkpoint,
            device=args.device,
            cfg_options=args.cfg_options,
            fast=not args.no_fast)
        names = output_names(paths)
        inputs = {osp.realpath(p) for p in paths}
        targets = []
        for path in paths:
            stem = osp.join(args.out_dir, names[path])
            pair = (f'{stem}_saliency.png', f'{stem}_overlay.png')
            for target in pair:
                if osp.realpath(target) in inputs:
                    raise InputError(f'{target} would overwrite an input '
                                     'image; choose another --out-dir')
            targets.append(pair)
        # batch by batch, so that a large folder is never held in memory
        progress = ProgressBar(
            len(paths), file=sys.stderr) if len(paths) > 1 else None
        for start in range(0, len(paths), args.batch_size):
            batch = paths[start:start + args.batch_size]
            probs = inference_model(
                model, batch, batch_size=len(batch), show_progress=False)
            for path, prob, (map_path, overlay_path) in zip(
                    batch, probs, targets[start:start + len(batch)]):
                _write_png(np.round(prob * 255).astype(np.uint8), map_path)
                _write_png(
                    overlay(load_image(path), prob, args.opacity),
                    overlay_path)
                if progress is not None:
                    progress.update()
        if progress is not None:
            sys.stderr.write('\n')
    print(f'wrote {2 * len(paths)} files to {args.out_dir}', file=sys.stderr)


if __name__ == '__main__':
    main()

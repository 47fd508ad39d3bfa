# Copyright (c) mmrsod contributors. All rights reserved.
"""Fill IFKD's MobileSAM feature cache for a data set.

Runs every sample of a config's data set through its pipeline (so the
image is the network input the student sees: for the NWPU ``-lr2x``
configs the 2x-downsampled LR tile), encodes it with the frozen MobileSAM
image encoder and stores the (256, 64, 64) embedding as fp16 under
``CACHE_DIR/<encoder fingerprint>/``, keyed on (image path, flip state,
input size). Entries already there are skipped; ``--verify N`` re-encodes
N cached entries and checks that they agree with fresh features.

The pipeline runs once per sample, so a random flip is cached in the state
it happened to take; the other states are filled during training on their
first miss.

Example::

    python tools/misc/precompute_sam_features.py \
        configs/retinanet/retinanet_r18_fpn_1xb2-12e_nwpu-lr2x.py \
        --checkpoint weights/mobile_sam.pt --cache-dir data/sam_cache
"""
import mmrsod  # noqa: F401  # isort: skip  (first: quiets pkg_resources)
import argparse
import sys
from typing import Optional, Sequence

from mmdet.registry import DATASETS
from mmengine.registry import init_default_scope
from mmengine.utils import ProgressBar

from mmrsod.models.utils import FeatureCache, MobileSAMEncoder, make_cache_key
from mmrsod.utils import (ConfigError, InputError, SpaceKeepingDictAction,
                          load_config, quiet_known_warnings,
                          report_input_errors)

PROG = 'precompute_sam_features.py'

__all__ = ['main', 'parse_args']


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        prog=PROG, description='Pre-compute MobileSAM features (IFKD EDE)')
    parser.add_argument('config', help='training config (its data set)')
    parser.add_argument('--checkpoint', help='MobileSAM mobile_sam.pt')
    parser.add_argument(
        '--cache-dir', required=True, help='feature cache folder')
    parser.add_argument(
        '--allow-random-encoder',
        action='store_true',
        help='run without --checkpoint (random encoder: timing/tests only)')
    parser.add_argument(
        '--split',
        default='train',
        choices=['train', 'val', 'test'],
        help='which dataloader\'s data set (default: train)')
    parser.add_argument(
        '--verify',
        type=int,
        default=0,
        metavar='N',
        help='re-encode N already cached entries and check agreement')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=SpaceKeepingDictAction,
        help='override settings in the config, key=value')
    return parser.parse_args(argv)


def sample_key_and_image(sample: dict):
    """Cache key and (1, 3, H, W) RGB 0-255 image of a packed sample.

    Args:
        sample (dict): Output of a ``PackDetInputs``-style pipeline
            (``inputs``: (3, H, W) BGR uint8, ``data_samples`` with
            ``img_path`` and optionally ``flip``/``flip_direction``).

    Returns:
        tuple: (CacheKey, Tensor (1, 3, H, W)).
    """
    image = sample['inputs']
    meta = sample['data_samples'].metainfo
    flip = meta.get('flip_direction') if meta.get('flip', False) else None
    key = make_cache_key(meta['img_path'], flip, tuple(image.shape[-2:]))
    return key, image[[2, 1, 0]].unsqueeze(0)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the tool; returns the exit status."""
    args = parse_args(argv)
    quiet_known_warnings()
    with report_input_errors(PROG):
        cfg = load_config(args.config, args.cfg_options)
        init_default_scope(cfg.get('default_scope', 'mmdet'))
        loader = f'{args.split}_dataloader'
        if cfg.get(loader) is None:
            raise ConfigError(f'{args.config}: no {loader}.dataset')
        if args.checkpoint is None and not args.allow_random_encoder:
            raise ConfigError('--checkpoint is required (the official '
                              'mobile_sam.pt); --allow-random-encoder runs '
                              'a random encoder (timing, tests)')
        encoder = MobileSAMEncoder(
            checkpoint=args.checkpoint, allow_random=args.allow_random_encoder)
        try:
            dataset = DATASETS.build(cfg[loader].dataset)
        except FileNotFoundError as err:
            raise InputError(f'{args.config}: {loader}.dataset: '
                             f'{err.strerror}: {err.filename}') from err
    cache = FeatureCache(args.cache_dir, encoder.fingerprint())
    computed = skipped = verified = 0
    progress = ProgressBar(len(dataset))
    for index in range(len(dataset)):
        key, image = sample_key_and_image(dataset[index])
        if cache.get(key) is None:
            cache.put(key, encoder(image)[0])
            computed += 1
        else:
            skipped += 1
            if verified < args.verify:
                if not cache.verify(key, encoder(image)[0]):
                    print(
                        f'\n{PROG}: error: cached features of {key} '
                        f'disagree with fresh ones ({cache.path(key)})',
                        file=sys.stderr)
                    return 1
                verified += 1
        progress.update()
    print(f'\n{cache.folder}: {computed} computed, {skipped} already cached'
          f'{f", {verified} verified" if args.verify else ""} '
          f'({len(dataset)} samples, encoder {encoder.fingerprint()}'
          f'{", RANDOM weights" if args.checkpoint is None else ""})')
    return 0


if __name__ == '__main__':
    sys.exit(main())

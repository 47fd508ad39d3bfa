# Copyright (c) mmrsod contributors. All rights reserved.
"""Export the test-time model of a trained checkpoint.

Training-only branches are removed (the model's ``strip_auxiliary()``:
SDCoNet's and CascadeRCNNSR's SR branch, SRAL's ASRD head and TFGM) and
``OUT_DIR`` receives

* ``model.pth``: ``state_dict`` of the stripped model and ``meta``
  (source config and checkpoint, and the removed parameter count);
* ``config.py``: the training config whose ``model`` builds exactly the
  stripped network, when the model can describe it
  (``test_time_model_cfg``); test with
  ``python tools/test.py OUT_DIR/config.py OUT_DIR/model.pth``.

Existing files are never overwritten without ``--force``; files are
written through a temporary file and a rename (an interrupted export
leaves no half-written checkpoint).

Example::

    python tools/model_converters/export_test_model.py \
        configs/sdconet/sdconet_swin-t_1xb2-36e_nwpu-lr2x.py \
        work_dirs/sdconet/epoch_36.pth work_dirs/sdconet/export
"""
import mmrsod  # noqa: F401  # isort: skip  (first: quiets pkg_resources)
import argparse
import copy
import io
import os.path as osp
import sys
from typing import Optional, Sequence

import torch

from mmrsod.models.utils import build_test_model
from mmrsod.utils import (InputError, SpaceKeepingDictAction, load_config,
                          quiet_known_warnings, report_input_errors)
from mmrsod.utils.atomic_io import atomic_write_bytes

PROG = 'export_test_model.py'


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=PROG, description='Export the test-time model of a checkpoint')
    parser.add_argument('config', help='training config file')
    parser.add_argument('checkpoint', help='trained checkpoint')
    parser.add_argument('out_dir', help='folder for model.pth (+ config.py)')
    parser.add_argument(
        '--force', action='store_true', help='overwrite existing files')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=SpaceKeepingDictAction,
        help='override settings in the config, key=value')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    quiet_known_warnings()
    with report_input_errors(PROG):
        cfg = load_config(args.config, args.cfg_options)
        if not osp.isfile(args.checkpoint):
            raise InputError(f'checkpoint not found: {args.checkpoint}')
        targets = [osp.join(args.out_dir, 'model.pth')]
        if not args.force:
            existing = [
                p for p in targets + [osp.join(args.out_dir, 'config.py')]
                if osp.exists(p)
            ]
            if existing:
                raise InputError(f'{existing[0]} exists: choose another '
                                 'OUT_DIR or pass --force')
        if cfg.model.get('backbone', {}).get('init_cfg') is not None:
            cfg.model.backbone.init_cfg = None  # weights come from the file
        # mmdet's DETRs write into their bbox_head config when built: keep
        # the user's model config as it was for the exported config
        model_cfg = copy.deepcopy(cfg.model.to_dict())
        full = build_test_model(
            cfg, checkpoint=args.checkpoint, strip_auxiliary=False)
        total = sum(p.numel() for p in full.parameters())
        test_cfg_model = None
        if hasattr(full, 'test_time_model_cfg'):
            test_cfg_model = full.test_time_model_cfg(model_cfg)
        if hasattr(full, 'strip_auxiliary'):
            full.strip_auxiliary()
        model = full
    kept = sum(p.numel() for p in model.parameters())
    buffer = io.BytesIO()
    torch.save(
        dict(
            state_dict=model.state_dict(),
            meta=dict(
                config=osp.abspath(args.config),
                checkpoint=osp.abspath(args.checkpoint),
                removed_params=total - kept,
                params=kept)), buffer)
    atomic_write_bytes(buffer.getvalue(), targets[0])
    print(f'{targets[0]}: {kept / 1e6:.2f}M parameters '
          f'({(total - kept) / 1e6:.2f}M training-only removed)')
    if test_cfg_model is not None:
        cfg.model = test_cfg_model
        path = osp.join(args.out_dir, 'config.py')
        atomic_write_bytes(cfg.pretty_text.encode(), path)
        print(f'{path}: builds the stripped model '
              f'(python tools/test.py {path} {targets[0]})')
    return 0


if __name__ == '__main__':
    sys.exit(main())

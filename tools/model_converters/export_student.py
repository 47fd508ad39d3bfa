# Copyright (c) mmrsod contributors. All rights reserved.
"""Export the student of a trained :class:`DistillationDetector`.

Keeps the ``student.*`` entries of the checkpoint's state dict with the
prefix removed; the distillation-only parts (``adapters.*``,
``distill_losses.*``: spectral filters and any other loss parameters) are
dropped, and the teacher and MobileSAM were never in the checkpoint. The
result loads strictly into the plain student config, e.g.::

    python tools/model_converters/export_student.py \
        configs/ifkd/retinanet_r18_fpn_fitnet_r50_1xb2-12e_nwpu-lr2x.py \
        work_dirs/fitnet/epoch_12.pth work_dirs/fitnet/student.pth \
        --student-config \
        configs/retinanet/retinanet_r18_fpn_1xb2-12e_nwpu-lr2x.py
    python tools/test.py \
        configs/retinanet/retinanet_r18_fpn_1xb2-12e_nwpu-lr2x.py \
        work_dirs/fitnet/student.pth

With ``--student-config`` the tool builds that model and loads the export
into it strictly before writing (a mismatch is an error). ``OUT`` is never
overwritten without ``--force`` and is written atomically.
"""
import mmrsod  # noqa: F401  # isort: skip  (first: quiets pkg_resources)
import argparse
import io
import os.path as osp
import sys
from collections import OrderedDict
from typing import Optional, Sequence

import torch

from mmrsod.utils import (InputError, load_config, quiet_known_warnings,
                          report_input_errors, short_list, trusted_torch_load)
from mmrsod.utils.atomic_io import atomic_write_bytes

PROG = 'export_student.py'
PREFIX = 'student.'


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=PROG, description='Export the student of a distillation run')
    parser.add_argument('config', help='distillation training config')
    parser.add_argument('checkpoint', help='trained checkpoint')
    parser.add_argument('out', help='output checkpoint file')
    parser.add_argument(
        '--student-config',
        help='plain student config: check that the export loads strictly')
    parser.add_argument('--force', action='store_true', help='overwrite OUT')
    return parser.parse_args(argv)


def student_state_dict(state: dict) -> 'OrderedDict[str, torch.Tensor]':
    """The ``student.*`` entries with the prefix removed.

    Args:
        state (dict): A :class:`DistillationDetector` state dict (a leading
            ``module.`` of DDP is accepted).

    Returns:
        OrderedDict: The student's state dict.
    """
    out = OrderedDict()
    for key, value in state.items():
        if key.startswith('module.'):
            key = key[len('module.'):]
        if key.startswith(PREFIX):
            out[key[len(PREFIX):]] = value
    return out


def check_strict_load(student_config: str, state: dict) -> int:
    """Build ``student_config``'s model and load ``state`` strictly.

    Returns:
        int: The student's parameter count.

    Raises:
        InputError: naming the missing / unexpected keys.
    """
    from mmdet.registry import MODELS
    from mmengine.registry import DefaultScope

    import mmrsod.models  # noqa: F401
    cfg = load_config(student_config)
    if cfg.model.get('backbone', {}).get('init_cfg') is not None:
        cfg.model.backbone.init_cfg = None
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MODELS.build(cfg.model)
    result = model.load_state_dict(state, strict=False)
    if result.missing_keys or result.unexpected_keys:
        raise InputError(
            f'the export does not load into {student_config}: missing '
            f'{short_list(result.missing_keys)}, unexpected '
            f'{short_list(result.unexpected_keys)}')
    return sum(p.numel() for p in model.parameters())


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    quiet_known_warnings()
    with report_input_errors(PROG):
        cfg = load_config(args.config)
        if cfg.model.get('type') != 'DistillationDetector':
            raise InputError(f'{args.config}: model.type is '
                             f'{cfg.model.get("type")!r}, not '
                             "'DistillationDetector'")
        if not osp.isfile(args.checkpoint):
            raise InputError(f'checkpoint not found: {args.checkpoint}')
        if osp.exists(args.out) and not args.force:
            raise InputError(f'{args.out} exists: choose another OUT or '
                             'pass --force')
        ckpt = trusted_torch_load(args.checkpoint, map_location='cpu')
        full = ckpt.get('state_dict', ckpt)
        state = student_state_dict(full)
        if not state:
            raise InputError(f'{args.checkpoint}: no {PREFIX}* keys (not '
                             'a DistillationDetector checkpoint?)')
        dropped = sorted(
            {k.split('.')[0]
             for k in full if not k.startswith(PREFIX)})
        if args.student_config:
            check_strict_load(args.student_config, state)
    buffer = io.BytesIO()
    meta = dict(
        config=osp.abspath(args.config),
        checkpoint=osp.abspath(args.checkpoint),
        dropped=dropped)
    if isinstance(ckpt.get('meta'), dict):
        for key in ('epoch', 'iter', 'dataset_meta'):
            if key in ckpt['meta']:
                meta[key] = ckpt['meta'][key]
    torch.save(dict(state_dict=state, meta=meta), buffer)
    atomic_write_bytes(buffer.getvalue(), args.out)
    params = sum(v.numel() for v in state.values())
    print(f'{args.out}: {len(state)} student tensors ({params / 1e6:.2f}M '
          f'values); dropped {", ".join(dropped) or "nothing"}')
    return 0


if __name__ == '__main__':
    sys.exit(main())

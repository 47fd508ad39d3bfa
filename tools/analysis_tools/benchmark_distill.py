# Copyright (c) mmrsod contributors. All rights reserved.
"""Costs of distillation: MobileSAM, the distilled step, inference.

For a :class:`~mmrsod.models.DistillationDetector` config (IFKD or a
baseline) it measures, after warm-up, on one cached training batch:

1. **MobileSAM encoder** (configs with EDE): seconds per image of the
   image encoder at its input size (1024 px for MobileSAM's vit_t), on
   the first training image;
2. **training step** (``model.train_step``: forward of student and
   teacher, losses, backward, optimiser step) of the distilled student
   with EDE **uncached** (every step encodes the batch with MobileSAM),
   EDE **cached** (a warm feature cache: one step fills it, the timed steps
   read it) and the **plain student** (the student config alone, GT
   losses only);
3. **inference** images/s (``model.test_step`` on the config's first test
   batch, the same batch for every model) of the teacher, the student and
   any ``--infer-configs``.

Models start from their constructor initialisation (backbone ``init_cfg``
is dropped); that does not change the cost. ``--sam-checkpoint`` /
``--teacher-ckpt`` load real weights; ``--allow-random-encoder`` /
``--allow-random-teacher`` time random ones (same cost).

Example::

    python tools/analysis_tools/benchmark_distill.py \\
        configs/ifkd/retinanet_r18_fpn_ifkd_r50_1xb2-12e_nwpu-lr2x.py \\
        --allow-random-encoder --allow-random-teacher \\
        --infer-configs \\
        configs/retinanet/retinanet_mobilenetv2_fpn_1xb2-12e_nwpu-lr2x.py
"""
import mmrsod  # noqa: F401  # isort: skip  (first: quiets pkg_resources)
import argparse
import contextlib
import copy
import io
import logging
import platform
import statistics
import tempfile
import time
from typing import Callable, List, Optional, Sequence

import torch
from mmengine.logging import MMLogger
from mmengine.optim import build_optim_wrapper
from mmengine.registry import MODELS, init_default_scope
from mmengine.runner import Runner

from mmrsod.models.detectors.distillation_detector import load_teacher_config
from mmrsod.models.utils import FeatureCache
from mmrsod.utils import (InputError, SpaceKeepingDictAction, load_config,
                          quiet_known_warnings, report_input_errors)

PROG = 'benchmark_distill.py'


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Benchmark MobileSAM, the distilled training step and '
        'inference of teacher and students')
    parser.add_argument('config', help='a DistillationDetector config')
    parser.add_argument(
        '--steps',
        '--iters',
        type=int,
        default=3,
        help='timed steps per measurement')
    parser.add_argument(
        '--warmup', type=int, default=1, help='untimed steps before each')
    parser.add_argument(
        '--sam-checkpoint', help='mobile_sam.pt (else the config\'s)')
    parser.add_argument(
        '--allow-random-encoder',
        action='store_true',
        help='time a random MobileSAM encoder (same cost)')
    parser.add_argument('--teacher-ckpt', help='teacher checkpoint')
    parser.add_argument(
        '--allow-random-teacher',
        action='store_true',
        help='time a random teacher (same cost)')
    parser.add_argument(
        '--infer-configs',
        nargs='*',
        default=[],
        help='more plain detector configs to time at inference')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=SpaceKeepingDictAction,
        help='override settings in the config, key=value')
    return parser.parse_args(argv)


def median_time(fn: Callable[[], None], warmup: int, steps: int) -> float:
    """Median seconds of ``fn`` over ``steps`` calls after ``warmup``."""
    for _ in range(warmup):
        fn()
    times: List[float] = []
    for _ in range(steps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def quiet_build(model_cfg, optim_cfg=None):
    """Build (and initialise) a model, optionally its optimiser, without
    mmengine's per-parameter INFO lines."""
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        model = MODELS.build(model_cfg)
        model.init_weights()
        optim = (
            build_optim_wrapper(model, optim_cfg)
            if optim_cfg is not None else None)
    finally:
        logger.setLevel(level)
    return model, optim


def drop_init(model_cfg):
    """Copy of a detector config without the backbone's pretrained
    ``init_cfg``."""
    model_cfg = copy.deepcopy(model_cfg)
    if model_cfg.get('backbone', {}).get('init_cfg') is not None:
        model_cfg.backbone.init_cfg = None
    return model_cfg


def first_batch(loader_cfg) -> dict:
    """The first batch of a dataloader config, in the main process, without
    pycocotools' "loading annotations" prints."""
    loader_cfg = copy.deepcopy(loader_cfg)
    loader_cfg.num_workers = 0
    loader_cfg.persistent_workers = False
    with contextlib.redirect_stdout(io.StringIO()):
        return next(iter(Runner.build_dataloader(loader_cfg, seed=0)))


def infer_ips(batch: dict, model_cfg, warmup: int, steps: int) -> float:
    """Images/s of ``test_step`` of a detector on one test batch."""
    model, _ = quiet_build(drop_init(model_cfg))
    model.eval()

    def run():
        with torch.no_grad():
            model.test_step(batch)

    return len(batch['inputs']) / median_time(run, warmup, steps)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    quiet_known_warnings()
    with report_input_errors(PROG):
        if args.steps < 1 or args.warmup < 0:
            raise InputError('--steps must be >= 1 and --warmup >= 0')
        cfg = load_config(args.config, args.cfg_options)
        if cfg.model.get('type') != 'DistillationDetector':
            raise InputError(f'{args.config}: model.type is '
                             f'{cfg.model.get("type")!r}, not '
                             "'DistillationDetector'")
        init_default_scope(cfg.get('default_scope', 'mmdet'))
        teacher_cfg = load_teacher_config(cfg.model.teacher_config)
        # loaded before any data or model, so a bad path fails at once
        infer = [('teacher', teacher_cfg.model),
                 ('student', cfg.model.student)]
        for path in args.infer_configs:
            infer.append((path.rsplit('/', 1)[-1], load_config(path).model))
        model_cfg = copy.deepcopy(cfg.model)
        model_cfg.student = drop_init(model_cfg.student)
        if args.teacher_ckpt:
            model_cfg.teacher_ckpt = args.teacher_ckpt
        elif args.allow_random_teacher:
            model_cfg.teacher_ckpt = None
            model_cfg.allow_random_teacher = True
        ede_losses = [
            name for name, loss in model_cfg.distill_losses.items()
            if loss.get('ede') is not None
        ]
        for name in ede_losses:
            ede = model_cfg.distill_losses[name].ede
            ede.cache_dir = None  # the tool sets its own cache
            if args.sam_checkpoint:
                ede.checkpoint = args.sam_checkpoint
            elif args.allow_random_encoder:
                ede.checkpoint = None
                ede.allow_random = True
        batch = first_batch(cfg.train_dataloader)
        model, optim = quiet_build(model_cfg, cfg.optim_wrapper)
    model.train()
    where = f'CPU ({platform.machine()}, {torch.get_num_threads()} threads)'
    size = tuple(batch['inputs'][0].shape[-2:])
    print(f'torch {torch.__version__} on {where}; training batch '
          f'{len(batch["inputs"])} x {size}')
    rows = []

    if ede_losses:
        loss = model.distill_losses[ede_losses[0]]
        encoder = loss.sam_encoder
        image = batch['inputs'][0][[2, 1, 0]].unsqueeze(0)  # BGR -> RGB
        sec = median_time(lambda: encoder(image), args.warmup, args.steps)
        rows.append((f'MobileSAM encoder ({encoder.img_size} px input)',
                     f'{sec:.3f} s/image'))

    def step():
        model.train_step(batch, optim)

    label = 'distilled student train step'
    if ede_losses:
        for name in ede_losses:
            model.distill_losses[name].cache = None
        sec = median_time(step, args.warmup, args.steps)
        rows.append((f'{label}, EDE uncached', f'{sec:.3f} s/step'))
        with tempfile.TemporaryDirectory() as tmp:
            for name in ede_losses:
                loss = model.distill_losses[name]
                loss.cache = FeatureCache(tmp, loss.sam_encoder.fingerprint())
            step()  # fills the cache
            sec = median_time(step, args.warmup, args.steps)
        rows.append((f'{label}, EDE cached', f'{sec:.3f} s/step'))
    else:
        sec = median_time(step, args.warmup, args.steps)
        rows.append((label, f'{sec:.3f} s/step'))

    student, student_optim = quiet_build(model_cfg.student, cfg.optim_wrapper)
    student.train()
    sec = median_time(lambda: student.train_step(batch, student_optim),
                      args.warmup, args.steps)
    rows.append(('plain student train step', f'{sec:.3f} s/step'))

    # every detector is timed on the same batch: the distillation
    # config's first test batch (the teacher's and --infer-configs' own
    # data settings are not used)
    with report_input_errors(PROG):
        test_batch = first_batch(cfg.test_dataloader)
    num = len(test_batch['inputs'])
    size = tuple(test_batch['inputs'][0].shape[-2:])
    for name, m_cfg in infer:
        ips = infer_ips(test_batch, m_cfg, args.warmup, args.steps)
        backbone = m_cfg.backbone.type + (f'-{m_cfg.backbone.depth}'
                                          if 'depth' in m_cfg.backbone else '')
        rows.append((f'inference {name} ({m_cfg.type} {backbone})',
                     f'{ips:.2f} img/s (batch {num} x {size})'))
    width = max(len(r[0]) for r in rows)
    print(f'{"measurement":<{width}} | value')
    print(f'{"-" * width}-|------')
    for name, value in rows:
        print(f'{name:<{width}} | {value}')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())

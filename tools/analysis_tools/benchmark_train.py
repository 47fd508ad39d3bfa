# Copyright (c) mmrsod contributors. All rights reserved.
"""Training step time of a config's model (forward + backward + SGD step).

Random inputs of the network's input size and targets of the size the
pipeline would produce (``out_scale`` x input for masks and SR images) are
fed to ``model.train_step`` after warm-up; the median of ``--repeat`` runs
is reported. With ``--baseline CONFIG2`` both models are timed in the same
process, interleaved, and the ratio is printed.

Example::

    python tools/analysis_tools/benchmark_train.py \
        configs/sral/sral_r50_1xb8-100e_eorssd.py \
        --baseline configs/sral/sral-tsdd_r50_1xb8-100e_eorssd.py \
        --batch-size 2
"""
import argparse
import platform
import statistics
import time
from typing import Callable, List

import torch
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope, init_default_scope
from mmengine.structures import PixelData

from mmrsod.models.utils import input_shape_from_cfg
from mmrsod.utils import load_config, quiet_known_warnings, report_input_errors


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Benchmark training steps')
    parser.add_argument('config', help='config file path')
    parser.add_argument('--baseline', help='a second config to compare with')
    parser.add_argument('--batch-size', type=int, default=2)
    parser.add_argument('--num-iters', type=int, default=5)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--device', default=None, help='cpu or cuda')
    return parser.parse_args()


def make_step(cfg_path: str, batch: int, device: str) -> Callable[[], None]:
    """Build model + optimizer of ``cfg_path``; return one training step."""
    from mmseg.structures import SegDataSample
    with report_input_errors('benchmark_train.py'):
        cfg = load_config(cfg_path)
        height, width = input_shape_from_cfg(cfg)
    if DefaultScope.get_current_instance() is None:
        init_default_scope(cfg.get('default_scope', 'mmseg'))
    from mmengine.registry import MODELS
    cfg.model.backbone.init_cfg = None
    cfg.model.pop('pretrained', None)
    model = MODELS.build(cfg.model).to(device).train()
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    scale = getattr(model, 'out_scale', 1)
    out_h, out_w = int(height * scale), int(width * scale)
    gen = torch.Generator().manual_seed(0)
    inputs, samples = [], []
    for _ in range(batch):
        inputs.append(
            torch.randint(
                0, 256, (3, height, width), generator=gen, dtype=torch.uint8))
        sample = SegDataSample(
            metainfo=dict(
                img_shape=(height, width),
                ori_shape=(out_h, out_w),
                pad_shape=(height, width)))
        sample.gt_sem_seg = PixelData(
            data=(torch.rand(1, out_h, out_w, generator=gen) > 0.7).float())
        sample.gt_sr = PixelData(
            data=torch.rand(3, out_h, out_w, generator=gen))
        samples.append(sample)
    data = dict(inputs=inputs, data_samples=samples)

    def step() -> None:
        model.train_step(data, optim_wrapper)
        if device.startswith('cuda'):
            torch.cuda.synchronize()

    return step


def main() -> None:
    args = parse_args()
    quiet_known_warnings()
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    device_name = (
        torch.cuda.get_device_name(0) if device.startswith('cuda') else
        f'CPU ({platform.machine()}, {torch.get_num_threads()} threads)')
    print(f'torch {torch.__version__}, device: {device_name}, batch size '
          f'{args.batch_size}, {args.warmup} warm-up + {args.num_iters} '
          f'timed steps x {args.repeat} runs')
    names = [args.config] + ([args.baseline] if args.baseline else [])
    steps = [make_step(name, args.batch_size, device) for name in names]
    times: List[List[float]] = [[] for _ in steps]
    for _ in range(args.repeat):
        for idx, step in enumerate(steps):
            for _ in range(args.warmup):
                step()
            start = time.perf_counter()
            for _ in range(args.num_iters):
                step()
            times[idx].append((time.perf_counter() - start) / args.num_iters)
    medians = []
    for label, name, runs in zip(('model', 'baseline'), names, times):
        med = statistics.median(runs)
        medians.append(med)
        runs_s = ', '.join(f'{t:.3f}' for t in runs)
        print(f'{label}: {name}: {med:.3f} s/step (median; runs: {runs_s})')
    if len(medians) == 2:
        print(
            f'step time ratio model/baseline: {medians[0] / medians[1]:.2f}x')


if __name__ == '__main__':
    main()

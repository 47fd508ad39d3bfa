# Copyright (c) mmrsod contributors. All rights reserved.
"""Test (evaluate) a checkpoint with mmengine's Runner."""
import mmrsod  # noqa: F401  # isort: skip  (first: quiets pkg_resources)
import argparse
import os
import os.path as osp

from mmengine.config import ConfigDict
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from mmrsod.utils import (InputError, SpaceKeepingDictAction, adapt_cfg_to_cpu,
                          load_config, quiet_known_log_records,
                          quiet_known_warnings, report_input_errors,
                          setup_cpu_distributed)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test (and eval) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir',
        help='the directory to save the file containing evaluation metrics')
    parser.add_argument(
        '--out',
        type=str,
        help='dump the raw predictions of every sample to a pickle file')
    parser.add_argument(
        '--out-dir',
        type=str,
        help='SOD configs only: write each predicted map as an 8-bit PNG '
        'named after its image (SOD evaluators with a `pred_dir` option); '
        'format: --out-format')
    parser.add_argument(
        '--out-format',
        choices=('gt', 'sral'),
        default='gt',
        help='maps of --out-dir: gt = probabilities at GT resolution '
        "(default); sral = as the SRAL authors' getsmaps.py (448 px network "
        'output, min-max normalised, zeroed if its max <= 0.25), to compare '
        'eval_saliency.py --protocol sral with the published table')
    parser.add_argument(
        '--show', action='store_true', help='show prediction results')
    parser.add_argument(
        '--show-dir',
        help='save drawn predictions, relative to the current directory: '
        'SOD configs: side-by-side overlays (left: ground truth, right: '
        'prediction) in DIR/vis_data/vis_image/ (mmseg behaviour); '
        "detection configs: mmdet's DetLocalVisualizer (ground-truth and "
        'predicted boxes) as DIR/<image file name>')
    parser.add_argument(
        '--wait-time', type=float, default=2, help='the interval of show (s)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=SpaceKeepingDictAction,
        help='override settings in the config, key=value; every key must '
        'already exist in the config')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def is_detection_config(cfg) -> bool:
    """Whether ``cfg`` is an mmdet config (``default_scope='mmdet'``)."""
    return cfg.get('default_scope', None) == 'mmdet'


def enable_visualization(cfg, args: argparse.Namespace) -> None:
    """Switch on the visualization hook for ``--show``/``--show-dir``.

    mmseg's ``SegVisualizationHook`` writes through the visualizer's
    backends (``save_dir``); mmdet's ``DetVisualizationHook`` writes one
    file per image to ``test_out_dir``, which it joins to
    ``work_dir/<timestamp>``: an absolute path keeps ``--show-dir``
    relative to the current directory for both.
    """
    hooks = cfg.default_hooks
    if 'visualization' not in hooks:
        raise InputError('--show/--show-dir need '
                         'default_hooks.visualization in the config')
    hooks.visualization.draw = True
    if args.show:
        hooks.visualization.show = True
        hooks.visualization.wait_time = args.wait_time
    if args.show_dir:
        if is_detection_config(cfg):
            hooks.visualization.test_out_dir = osp.abspath(args.show_dir)
        else:
            cfg.visualizer.save_dir = args.show_dir
        hooks.visualization.interval = 1


def set_pred_dir(cfg, out_dir: str, out_format: str = 'gt') -> None:
    """Point every test evaluator that can write maps at ``out_dir``.

    With ``out_format='sral'`` the maps are written as the SRAL authors'
    ``getsmaps.py`` does, from the network-size map that
    ``model.test_cfg.with_out_map=True`` makes the segmentor keep.
    """
    evaluators = cfg.test_evaluator
    if isinstance(evaluators, (dict, ConfigDict)):
        evaluators = [evaluators]
    hit = False
    for evaluator in evaluators:
        if evaluator.get('type', '') in ('SODMetric', 'mmseg.SODMetric'):
            evaluator['pred_dir'] = out_dir
            evaluator['map_format'] = out_format
            hit = True
    if not hit:
        kind = ('a detection config (default_scope=mmdet)'
                if is_detection_config(cfg) else 'this config')
        raise InputError(
            '--out-dir writes saliency maps and needs a SODMetric in '
            f'test_evaluator, which {kind} does not have; for detections '
            'use --out results.pkl (raw predictions) or --show-dir DIR '
            '(drawn boxes)')
    if out_format == 'sral':
        if 'SRALSegmentor' not in str(cfg.model.get('type', '')):
            raise InputError('--out-format sral needs model.type='
                             f"'SRALSegmentor', got {cfg.model.get('type')!r}")
        cfg.model.setdefault('test_cfg', ConfigDict(mode='whole'))
        cfg.model.test_cfg['with_out_map'] = True


def main() -> None:
    args = parse_args()
    quiet_known_warnings()
    with report_input_errors('test.py'):
        cfg = load_config(args.config, args.cfg_options)
        if not osp.isfile(args.checkpoint):
            raise InputError(f'checkpoint not found: {args.checkpoint}')
        cfg.launcher = args.launcher
        if args.work_dir is not None:
            cfg.work_dir = args.work_dir
        elif cfg.get('work_dir', None) is None:
            cfg.work_dir = osp.join('./work_dirs',
                                    osp.splitext(osp.basename(args.config))[0])
        cfg.load_from = args.checkpoint

        if args.show or args.show_dir:
            enable_visualization(cfg, args)
        if args.out_format != 'gt' and not args.out_dir:
            raise InputError('--out-format needs --out-dir')
        if args.out_dir:
            set_pred_dir(cfg, args.out_dir, args.out_format)
        if args.out is not None:
            if not args.out.endswith(('.pkl', '.pickle')):
                raise InputError(f'--out must be a .pkl file: {args.out}')
            evaluators = cfg.test_evaluator
            if isinstance(evaluators, (dict, ConfigDict)):
                evaluators = [evaluators]
            # mmdet's DumpDetResults drops the ground truth and RLE-encodes
            # masks; mmengine's DumpResults keeps the whole sample
            dump = ('DumpDetResults'
                    if is_detection_config(cfg) else 'DumpResults')
            cfg.test_evaluator = list(evaluators) + [
                dict(type=dump, out_file_path=args.out)
            ]

        adapt_cfg_to_cpu(cfg, args.cfg_options)
        setup_cpu_distributed(cfg, args.launcher)
        if 'runner_type' not in cfg:
            runner = Runner.from_cfg(cfg)
        else:
            runner = RUNNERS.build(cfg)
        quiet_known_log_records(runner.logger)
        runner.test()


if __name__ == '__main__':
    main()

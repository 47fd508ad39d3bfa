# Copyright (c) mmrsod contributors. All rights reserved.
"""Evaluate a folder of saliency maps against GT masks.

Works for the maps of any method (PNG/JPG/BMP/TIFF, gray or RGB(A), any
size): for every GT mask ``<GT_DIR>/<stem>.<ext>`` the prediction
``<PRED_DIR>/<stem><suffix>.<ext>`` must exist (``--pred-suffix``, e.g.
``_HFANet_R``). A missing or unreadable map is an error.

Protocols:

* ``default``: the same per-image code as :class:`mmrsod.evaluation.SODMetric`
  (PySODMetrics, comparison at GT resolution, prediction resized
  bilinearly to the GT if needed, 256 thresholds);
* ``sral``: the SRAL authors' evaluator (448 x 448, soft GT, 255
  thresholds, their S-measure conventions) for MAE, maxF, meanF and Sm;
  adpF, maxE, meanE, adpE and wF by the default implementation on the same
  448 x 448 maps with the GT binarised at 0.5. See
  :mod:`mmrsod.evaluation.functional.sral_protocol`.

Example::

    python tools/analysis_tools/eval_saliency.py work_dirs/maps \\
        data/EORSSD/test-labels --out-json results.json --nproc 2
"""
import argparse
import json
import sys
import time
from multiprocessing import Pool
from pathlib import Path
from typing import Dict, List, Tuple

from mmengine.utils import ProgressBar

from mmrsod.datasets.transforms import decode_sod_mask
from mmrsod.evaluation.functional.attributes import (attribute_scores,
                                                     check_attribute_coverage,
                                                     load_attribute_file)
from mmrsod.evaluation.functional.saliency_curves import save_sod_curves
from mmrsod.evaluation.functional.saliency_map_io import read_gray_map
from mmrsod.evaluation.functional.sod_statistics import (
    SOD_METRIC_KEYS, aggregate_sod_statistics, sod_image_statistics)
from mmrsod.evaluation.functional.sral_protocol import sral_image_statistics
from mmrsod.utils.atomic_io import atomic_write_bytes
from mmrsod.utils.messages import short_list

IMAGE_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff')


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description='Evaluate saliency maps (Sm, max/mean/adp F and E, wF, '
        'MAE) against GT masks.')
    parser.add_argument('pred_dir', help='folder of predicted maps')
    parser.add_argument('gt_dir', help='folder of GT masks')
    parser.add_argument(
        '--pred-suffix',
        default='',
        help='suffix between the GT stem and the extension of the maps, '
        'e.g. "_HFANet_R" for <stem>_HFANet_R.png')
    parser.add_argument(
        '--protocol',
        choices=('default', 'sral'),
        default='default',
        help='default: PySODMetrics at GT resolution; sral: the SRAL '
        "authors' evaluator at 448x448 with soft GT")
    parser.add_argument('--out-json', help='write the metrics to this JSON')
    parser.add_argument(
        '--curves-dir', help='write PR/F/E curves (JSON and PNG) here')
    parser.add_argument(
        '--attribute-file',
        help='attribute list ("<stem> <attr> ..." per line): also report '
        'the mean C1=C2=0 SSIM per attribute (SRAL Table II)')
    parser.add_argument(
        '--nproc', type=int, default=1, help='worker processes')
    return parser.parse_args()


def list_images(folder: Path) -> List[Path]:
    """Image files of a folder (non-recursive), sorted by name."""
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS)


def match_predictions(pred_dir: Path, gt_dir: Path,
                      suffix: str) -> List[Tuple[str, Path, Path]]:
    """Pair every GT mask with its predicted map.

    Args:
        pred_dir (Path): Folder of maps ``<stem><suffix>.<ext>``.
        gt_dir (Path): Folder of GT masks ``<stem>.<ext>``.
        suffix (str): The maps' name suffix.

    Returns:
        list[tuple[str, Path, Path]]: ``(stem, pred_path, gt_path)``.

    Raises:
        FileNotFoundError: A folder is missing, has no images, or a GT has
            no map (all missing names are listed).
        ValueError: A GT stem matches several maps (e.g. .png and .jpg).
    """
    for name, folder in (('PRED_DIR', pred_dir), ('GT_DIR', gt_dir)):
        if not folder.is_dir():
            raise FileNotFoundError(f'{name} is not a directory: {folder}')
    gts = list_images(gt_dir)
    if not gts:
        raise FileNotFoundError(f'no GT masks ({"/".join(IMAGE_EXTENSIONS)})'
                                f' found in {gt_dir}')
    preds: Dict[str, List[Path]] = {}
    for path in list_images(pred_dir):
        preds.setdefault(path.stem, []).append(path)
    pairs, missing = [], []
    for gt_path in gts:
        candidates = preds.get(gt_path.stem + suffix, [])
        if not candidates:
            missing.append(f'{gt_path.stem}{suffix}.*')
        elif len(candidates) > 1:
            raise ValueError(f'GT {gt_path.name} matches several maps: '
                             f'{", ".join(str(c) for c in candidates)}')
        else:
            pairs.append((gt_path.stem, candidates[0], gt_path))
    if missing:
        raise FileNotFoundError(
            f'{len(missing)} of {len(gts)} GT masks in {gt_dir} have no '
            f'predicted map in {pred_dir}: {short_list(missing)}')
    return pairs


def evaluate_pair(task: Tuple[str, str, str, str]) -> dict:
    """Per-image record for ``(stem, pred_path, gt_path, protocol)``."""
    stem, pred_path, gt_path, protocol = task
    pred = read_gray_map(pred_path)
    # GT through the dataset's own decoder, so this tool and SODMetric (fed
    # by LoadSODAnnotations) score the same masks, alpha handling included
    gt = decode_sod_mask(Path(gt_path).read_bytes(), str(gt_path))
    if protocol == 'sral':
        record = sral_image_statistics(pred, gt)
    else:
        record = sod_image_statistics(pred, gt)
    record['stem'] = stem
    return record


def format_table(metrics: Dict[str, float]) -> str:
    """One-row text table of the metrics."""
    keys = list(metrics)
    widths = [max(len(k), 6) for k in keys]
    head = ' | '.join(k.rjust(w) for k, w in zip(keys, widths))
    row = ' | '.join(f'{metrics[k]:.4f}'.rjust(w)
                     for k, w in zip(keys, widths))
    rule = '-+-'.join('-' * w for w in widths)
    return '\n'.join((head, rule, row))


def main() -> int:
    """Run the evaluation; returns the exit status."""
    args = parse_args()
    start = time.time()
    try:
        pairs = match_predictions(
            Path(args.pred_dir), Path(args.gt_dir), args.pred_suffix)
        attributes = None
        if args.attribute_file:
            attributes = load_attribute_file(args.attribute_file)
            check_attribute_coverage([p[0] for p in pairs], attributes,
                                     args.attribute_file)
        tasks = [(stem, str(pred), str(gt), args.protocol)
                 for stem, pred, gt in pairs]
        # progress on stderr, so stdout keeps only the results
        progress = ProgressBar(len(tasks), file=sys.stderr)
        records = []
        if args.nproc > 1:
            with Pool(args.nproc) as pool:
                for record in pool.imap(
                        evaluate_pair,
                        tasks,
                        chunksize=max(1,
                                      len(tasks) // (8 * args.nproc))):
                    records.append(record)
                    progress.update()
        else:
            for task in tasks:
                records.append(evaluate_pair(task))
                progress.update()
        sys.stderr.write('\n')
    except (FileNotFoundError, ValueError) as err:
        print(f'eval_saliency.py: error: {err}', file=sys.stderr)
        return 2
    aggregated = aggregate_sod_statistics(records)
    metrics = {k: aggregated['metrics'][k] for k in SOD_METRIC_KEYS}
    attr_metrics = {}
    if attributes is not None:
        attr_metrics = attribute_scores([r['stem'] for r in records],
                                        [r['ssim'] for r in records],
                                        attributes, args.attribute_file)
    elapsed = time.time() - start
    print(f'{len(records)} maps, protocol {args.protocol}, '
          f'{elapsed:.1f} s')
    print(format_table(metrics))
    if attr_metrics:
        print('\nMean SSIM (C1=C2=0) per attribute:')
        print(format_table(attr_metrics))
    if args.curves_dir:
        save_sod_curves(aggregated['curves'], args.curves_dir, args.protocol)
        print(f'curves written to {args.curves_dir}')
    if args.out_json:
        out = dict(metrics)
        out.update(attr_metrics)
        out.update(
            num_images=len(records),
            protocol=args.protocol,
            pred_dir=str(args.pred_dir),
            gt_dir=str(args.gt_dir),
            pred_suffix=args.pred_suffix)
        atomic_write_bytes(
            json.dumps(out, indent=2).encode('utf-8'), args.out_json)
        print(f'metrics written to {args.out_json}')
    return 0


__all__ = [
    'IMAGE_EXTENSIONS', 'parse_args', 'list_images', 'match_predictions',
    'evaluate_pair', 'format_table', 'main'
]

if __name__ == '__main__':
    sys.exit(main())

# Copyright (c) mmrsod contributors. All rights reserved.
"""COCO detection metric that also plots per-class precision-recall curves."""
import contextlib
import io
import json
import os.path as osp
import re
import tempfile
from typing import Dict, Optional

import numpy as np
from mmdet.datasets.api_wrappers import COCOeval
from mmdet.evaluation.metrics import CocoMetric
from mmdet.registry import METRICS
from mmengine.fileio import load
from mmengine.logging import MMLogger

from mmrsod.utils.atomic_io import atomic_write_bytes

__all__ = ['CocoPRCurveMetric', 'class_file_stem']


def class_file_stem(index: int, name: str) -> str:
    """File stem of a class's PR-curve PNG: ``pr_curve_<idx>_<slug>``.

    Args:
        index (int): 0-based position of the class in ``classes``.
        name (str): The class name (may contain spaces, e.g.
            ``'storage tank'``).

    Returns:
        str: e.g. ``'pr_curve_02_storage_tank'``.
    """
    slug = re.sub(r'[^0-9A-Za-z]+', '_', name).strip('_') or 'class'
    return f'pr_curve_{index:02d}_{slug}'


@METRICS.register_module()
class CocoPRCurveMetric(CocoMetric):
    """:class:`mmdet.evaluation.CocoMetric` plus PR-curve plots.

    Everything ``CocoMetric`` computes and logs is unchanged (AP, AP50,
    AP75, APs/m/l and, with ``classwise=True``, the per-class table). When
    ``pr_curve_dir`` is set, it also writes there, atomically:

    * ``pr_curve_<idx>_<class>.png`` per class: precision against recall
      at IoU 0.5 and the mean over the IoU thresholds (0.5:0.95), with
      their APs in the legend (area ``all``, the largest ``maxDets``);
    * ``pr_curve_summary.png``: the IoU-0.5 curves of all classes;
    * ``pr_curves.json``: the 101 recall thresholds and the precision
      values plotted, per class, to re-plot elsewhere.

    The values are COCOeval's interpolated precision ``eval['precision']``
    (IoU, recall, class, area, maxDets); a class without ground truth has
    -1 there and gets no PNG (``null`` in the json).

    ``CocoMetric.compute_metrics`` keeps its ``COCOeval`` local, so this
    class runs ``evaluate()``/``accumulate()`` once more on the result
    json that the parent writes (in a temporary ``outfile_prefix`` when
    none is set) with the same parameters, instead of copying the parent's
    method. This doubles the (usually small) COCOeval time only when PR
    curves are asked for.

    Args:
        pr_curve_dir (str, optional): Folder for the plots; None (default)
            writes none.
        **kwargs: Arguments of :class:`CocoMetric`.
    """

    def __init__(self,
                 *args,
                 pr_curve_dir: Optional[str] = None,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.pr_curve_dir = pr_curve_dir

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """Compute the COCO metrics and, if asked, write the PR curves.

        Args:
            results (list): The processed results of each batch.

        Returns:
            dict[str, float]: The metrics of :class:`CocoMetric`.
        """
        iou_type = next((m for m in self.metrics if m in ('bbox', 'segm')),
                        None)
        if self.pr_curve_dir is None or self.format_only or iou_type is None:
            return super().compute_metrics(results)
        given_prefix = self.outfile_prefix
        with tempfile.TemporaryDirectory() as tmp_dir:
            if given_prefix is None:
                self.outfile_prefix = osp.join(tmp_dir, 'results')
            try:
                eval_results = super().compute_metrics(results)
                result_file = f'{self.outfile_prefix}.{iou_type}.json'
                precision = self._precision(result_file, iou_type)
            finally:
                self.outfile_prefix = given_prefix
        if precision is None:
            MMLogger.get_current_instance().warning(
                'CocoPRCurveMetric: no predictions, no PR curves written')
        else:
            self.write_pr_curves(precision, self.pr_curve_dir)
        return eval_results

    def _precision(self, result_file: str,
                   iou_type: str) -> Optional[np.ndarray]:
        """Re-run COCOeval as the parent did; return ``eval['precision']``.

        Args:
            result_file (str): The ``<prefix>.<iou_type>.json`` written by
                :meth:`CocoMetric.results2json`.
            iou_type (str): ``'bbox'`` or ``'segm'``.

        Returns:
            np.ndarray | None: Precision (T, R, K, A, M), or None when
            there are no predictions.
        """
        predictions = load(result_file)
        if not predictions:
            return None
        if iou_type == 'segm':  # as CocoMetric: mask areas, not box areas
            for pred in predictions:
                pred.pop('bbox')
        with contextlib.redirect_stdout(io.StringIO()):
            coco_dt = self._coco_api.loadRes(predictions)
            coco_eval = COCOeval(self._coco_api, coco_dt, iou_type)
            coco_eval.params.catIds = self.cat_ids
            coco_eval.params.imgIds = self.img_ids
            coco_eval.params.maxDets = list(self.proposal_nums)
            coco_eval.params.iouThrs = self.iou_thrs
            coco_eval.evaluate()
            coco_eval.accumulate()
        self._rec_thrs = np.asarray(coco_eval.params.recThrs)
        self._iou_thrs = np.asarray(coco_eval.params.iouThrs)
        return coco_eval.eval['precision']

    def write_pr_curves(self, precision: np.ndarray, out_dir: str) -> None:
        """Plot the per-class and summary PR curves into ``out_dir``.

        Args:
            precision (np.ndarray): COCOeval ``eval['precision']``, shape
                (T, R, K, A, M): IoU thresholds, 101 recall thresholds,
                classes (in ``self.cat_ids`` order), area ranges, maxDets.
            out_dir (str): Output folder (created).
        """
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        recall = self._rec_thrs
        iou = self._iou_thrs
        i50 = int(np.argmin(np.abs(iou - 0.5)))
        iou_label = f'IoU={iou[i50]:.2f}'
        mean_label = (f'IoU={iou[0]:.2f}:{iou[-1]:.2f}'
                      if len(iou) > 1 else iou_label)
        names = [
            self._coco_api.loadCats(cat_id)[0]['name']
            for cat_id in self.cat_ids
        ]
        summary = dict(
            recall=recall.tolist(),
            iou_thrs=iou.tolist(),
            area='all',
            max_dets=int(self.proposal_nums[-1]),
            classes=[])

        def save(fig: Figure, name: str) -> None:
            buf = io.BytesIO()
            FigureCanvasAgg(fig)
            fig.savefig(buf, format='png', dpi=100)
            atomic_write_bytes(buf.getvalue(), osp.join(out_dir, name))

        summary_fig = Figure(figsize=(6, 5))
        summary_ax = summary_fig.add_subplot()
        for idx, name in enumerate(names):
            p50 = precision[i50, :, idx, 0, -1]
            entry = dict(name=name, precision_iou50=None, precision_mean=None)
            if (p50 > -1).any():
                # mean over IoU thresholds where defined (-1: no GT)
                all_iou = precision[:, :, idx, 0, -1]
                mean = np.where(all_iou > -1, all_iou, np.nan)
                mean = np.nanmean(mean, axis=0)
                ap50, ap = float(np.mean(p50)), float(np.nanmean(mean))
                entry.update(
                    precision_iou50=p50.tolist(),
                    precision_mean=mean.tolist(),
                    ap50=ap50,
                    ap=ap,
                    file=class_file_stem(idx, name) + '.png')
                fig = Figure(figsize=(5, 4))
                ax = fig.add_subplot()
                ax.plot(recall, p50, label=f'{iou_label} (AP {ap50:.3f})')
                ax.plot(
                    recall,
                    mean,
                    linestyle='--',
                    label=f'{mean_label} mean (AP {ap:.3f})')
                self._style(ax, f'{name}: precision-recall')
                save(fig, entry['file'])
                summary_ax.plot(recall, p50, label=f'{name} ({ap50:.3f})')
            summary['classes'].append(entry)
        self._style(summary_ax, f'all classes, {iou_label} (AP50)')
        save(summary_fig, 'pr_curve_summary.png')
        atomic_write_bytes(
            json.dumps(summary, indent=1).encode('utf-8'),
            osp.join(out_dir, 'pr_curves.json'))
        plotted = sum(1 for c in summary['classes'] if 'file' in c)
        MMLogger.get_current_instance().info(
            f'PR curves of {plotted}/{len(names)} classes written to '
            f'{out_dir}')

    @staticmethod
    def _style(ax, title: str) -> None:
        """Axes limits, labels, grid and legend of a PR plot."""
        ax.set_xlim(0.0, 1.0)
        ax.set_ylim(0.0, 1.02)
        ax.set_xlabel('recall')
        ax.set_ylabel('precision')
        ax.set_title(title)
        ax.grid(True, alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc='lower left', fontsize='small')

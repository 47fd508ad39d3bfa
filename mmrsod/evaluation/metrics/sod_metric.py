# Copyright (c) mmrsod contributors. All rights reserved.
"""Salient object detection metric (S-measure, F/E-measures, wF, MAE)."""
from collections import OrderedDict
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger, print_log
from mmseg.registry import METRICS

from ..functional import (FMEASURE_BETA2, SOD_METRIC_KEYS,
                          WEIGHTED_FMEASURE_BETA2, aggregate_sod_statistics,
                          attribute_scores, load_attribute_file,
                          prepare_sod_pair, save_sod_curves,
                          sod_image_statistics, sral_saliency_map,
                          write_gray_png)

#: Tolerance on probabilities slightly outside [0, 1] (float round-off).
_PROB_TOL = 1e-4


@METRICS.register_module()
class SODMetric(BaseMetric):
    """Saliency metrics of the RSI-SOD literature, on PySODMetrics.

    Reports ``Sm`` (S-measure, alpha 0.5), ``maxF``/``meanF``/``adpF``
    (F-measure, beta^2 = 0.3), ``maxE``/``meanE``/``adpE`` (E-measure),
    ``wF`` (weighted F-measure, beta^2 = 1 as in Margolin et al. and the
    SOD/COD toolboxes) and ``MAE``. ``max``/``mean`` are the maximum/mean
    over the 256 thresholds of the **dataset-mean** curve; ``adp`` is the
    mean of the per-image adaptive scores (threshold ``2 * mean(pred)``).
    Predictions are min-max normalised per image (``py_sod_metrics``
    convention).

    Inputs (data sample contract): ``seg_logits.data`` of shape (1, H, W)
    holding sigmoid probabilities, compared with ``gt_sem_seg.data``
    (1, H, W), 0/1, at the GT resolution: a prediction of another size is
    resized bilinearly to the GT first. The prediction is quantised to 8 bits
    (``round(255 * p)``), which is also what ``pred_dir`` saves, so
    evaluating the saved PNGs with ``tools/analysis_tools/eval_saliency.py``
    gives the same numbers.

    Empty GT masks (18 of the 600 EORSSD test images) give F = 0 and
    wF = 0 for any prediction (PySODMetrics convention), so these metrics
    are capped below 1 on such splits; see
    :mod:`mmrsod.evaluation.functional.sod_statistics`.

    Distributed evaluation: :meth:`process` stores one record of per-image
    statistics (scalars and 256-point curves, ~8 KB) per image; the records
    of all ranks are gathered by mmengine and reduced once in
    :meth:`compute_metrics`.

    Args:
        pred_dir (str, optional): If set, every prediction is written there
            as an 8-bit PNG named ``<image stem>.png`` (atomic write), in
            ``map_format``. Defaults to None.
        map_format (str): ``'gt'`` (default): the probabilities at GT
            resolution, ``round(255 * p)`` (what the metrics see).
            ``'sral'``: the SRAL authors' saved maps (``getsmaps.py``): the
            map at the network output size (448 px; the sample's
            ``out_map``, which ``model.test_cfg.with_out_map=True``
            provides), min-max normalised, or zeroed below 0.25 when its
            maximum is <= 0.25 (:func:`sral_saliency_map`); evaluate them
            with ``eval_saliency.py --protocol sral`` to compare with the
            published table. The metrics are the same in both formats.
        curves_dir (str, optional): If set, the dataset PR curve and the F-
            and E-measure-threshold curves are written there as
            ``sod_curves.json``, ``pr_curve.png`` and ``f_curve.png``.
            Defaults to None.
        attribute_file (str, optional): Attribute list (format:
            :mod:`mmrsod.evaluation.functional.attributes`). If set, the
            metric also reports ``SSIM_<attr>`` (mean global SSIM with
            ``C1 = C2 = 0`` over the images with that attribute, SRAL paper
            Table II) and ``SSIM_avg``. Every evaluated image must be
            listed. Defaults to None.
        fmeasure_beta2 (float): beta^2 of the F-measure. Defaults to 0.3.
        wfmeasure_beta2 (float): beta^2 of the weighted F-measure.
            Defaults to 1.
        collect_device (str): Device for gathering results ('cpu' or
            'gpu'). Defaults to 'cpu'.
        prefix (str, optional): Prefix of the metric names. Defaults to no
            prefix, so that ``save_best='maxF'`` works.
        collect_dir (str, optional): Temporary directory for 'cpu'
            collection. Defaults to None.
    """

    default_prefix: Optional[str] = ''

    def __init__(self,
                 pred_dir: Optional[str] = None,
                 map_format: str = 'gt',
                 curves_dir: Optional[str] = None,
                 attribute_file: Optional[str] = None,
                 fmeasure_beta2: float = FMEASURE_BETA2,
                 wfmeasure_beta2: float = WEIGHTED_FMEASURE_BETA2,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 collect_dir: Optional[str] = None) -> None:
        super().__init__(
            collect_device=collect_device,
            prefix=prefix,
            collect_dir=collect_dir)
        if map_format not in ('gt', 'sral'):
            raise ValueError("SODMetric: map_format must be 'gt' or 'sral', "
                             f'got {map_format!r}')
        self.pred_dir = pred_dir
        self.map_format = map_format
        self.curves_dir = curves_dir
        self.attribute_file = attribute_file
        self.fmeasure_beta2 = fmeasure_beta2
        self.wfmeasure_beta2 = wfmeasure_beta2
        # fail early on a bad attribute file
        self.attributes = (
            load_attribute_file(attribute_file)
            if attribute_file is not None else None)

    @staticmethod
    def _sample_stem(data_sample: dict) -> str:
        """Image stem of a sample (``img_path``, else ``seg_map_path``)."""
        for key in ('img_path', 'seg_map_path'):
            path = data_sample.get(key)
            if path:
                return Path(path).stem
        raise KeyError('SODMetric needs img_path or seg_map_path in the data '
                       'sample metainfo to name predictions and attributes')

    @staticmethod
    def _to_numpy_pair(data_sample: dict) -> tuple:
        """Extract the (H, W) prediction (float) and GT arrays.

        Args:
            data_sample (dict): A data sample converted to dict.

        Returns:
            tuple[np.ndarray, np.ndarray]: float32 probabilities (h, w) and
            the GT (H, W) float32.
        """
        if 'seg_logits' not in data_sample:
            raise KeyError('SODMetric needs data_sample.seg_logits (sigmoid '
                           'probabilities); the model did not output it')
        if 'gt_sem_seg' not in data_sample:
            raise KeyError('SODMetric needs data_sample.gt_sem_seg; the test '
                           'pipeline must load the GT mask')
        pred = data_sample['seg_logits']['data']
        gt = data_sample['gt_sem_seg']['data']
        where = data_sample.get('img_path', '<unknown image>')
        if pred.dim() != 3 or pred.shape[0] != 1:
            raise ValueError('SODMetric expects seg_logits.data of shape '
                             f'(1, H, W), got {tuple(pred.shape)} for '
                             f'{where}')
        if gt.dim() == 3:
            gt = gt[0]
        pred = pred.detach().float()
        pmin, pmax = float(pred.min()), float(pred.max())
        if pmin < -_PROB_TOL or pmax > 1 + _PROB_TOL:
            raise ValueError(
                'SODMetric expects seg_logits.data to hold sigmoid '
                f'probabilities in [0, 1], got values in [{pmin:.4g}, '
                f'{pmax:.4g}] for {where} (raw logits?)')
        # resized to the GT (bilinear) by prepare_sod_pair if needed
        pred = pred[0].clamp(0, 1).cpu().numpy()
        gt = gt.detach().float().cpu().numpy()
        return pred, gt

    def _map_to_save(self, data_sample: dict,
                     pred_u8: np.ndarray) -> np.ndarray:
        """The uint8 map written to ``pred_dir`` (see ``map_format``)."""
        if self.map_format == 'gt':
            return pred_u8
        if 'out_map' not in data_sample:
            raise KeyError(
                "SODMetric(map_format='sral') needs the map at the network "
                'output size: set model.test_cfg.with_out_map=True '
                '(tools/test.py --out-format sral does)')
        out_map = data_sample['out_map']['data']
        return sral_saliency_map(out_map[0].detach().float().cpu().numpy())

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Store the per-image statistics of a batch in ``self.results``.

        Args:
            data_batch (dict): A batch from the dataloader (unused).
            data_samples (Sequence[dict]): Model outputs as dicts.
        """
        for data_sample in data_samples:
            pred, gt = self._to_numpy_pair(data_sample)
            pred_u8, gt_u8 = prepare_sod_pair(pred, gt)
            record = sod_image_statistics(
                pred_u8,
                gt_u8,
                fmeasure_beta2=self.fmeasure_beta2,
                wfmeasure_beta2=self.wfmeasure_beta2)
            need_stem = (
                self.pred_dir is not None or self.attributes is not None)
            stem = self._sample_stem(data_sample) if need_stem else None
            record['stem'] = stem
            if self.pred_dir is not None:
                write_gray_png(
                    self._map_to_save(data_sample, pred_u8),
                    Path(self.pred_dir) / f'{stem}.png')
            self.results.append(record)

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Reduce the gathered per-image records.

        Args:
            results (list[dict]): Records of all images (all ranks).

        Returns:
            dict[str, float]: ``Sm``, ``maxF``, ``meanF``, ``adpF``, ``maxE``,
            ``meanE``, ``adpE``, ``wF``, ``MAE`` (and ``SSIM_*`` with an
            attribute file).
        """
        logger: MMLogger = MMLogger.get_current_instance()
        aggregated = aggregate_sod_statistics(results)
        metrics = OrderedDict(
            (k, aggregated['metrics'][k]) for k in SOD_METRIC_KEYS)
        if self.attributes is not None:
            metrics.update(
                attribute_scores([r['stem'] for r in results],
                                 [r['ssim'] for r in results], self.attributes,
                                 str(self.attribute_file)))
        if self.curves_dir is not None:
            paths = save_sod_curves(aggregated['curves'], self.curves_dir)
            print_log(f'saliency curves written to {paths}', logger=logger)
        table = '  '.join(f'{k}: {v:.4f}' for k, v in metrics.items())
        print_log(
            f'SOD metrics over {len(results)} images: {table}', logger=logger)
        return dict(metrics)


__all__ = ['SODMetric']

# Copyright (c) mmrsod contributors. All rights reserved.
"""PSNR/SSIM of the auxiliary super-resolution branch (SRAL Table V)."""
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from mmseg.registry import METRICS
from skimage.metrics import peak_signal_noise_ratio, structural_similarity


@METRICS.register_module()
class SRMetric(BaseMetric):
    """PSNR and SSIM on the Y channel of ``pred_sr`` vs ``gt_sr``.

    Both tensors are YCbCr in [0, 1] (BT.601 full range, channel order
    Y, Cb, Cr), shape (3, H, W); only Y (channel 0) is compared, the usual
    SR convention. Implemented with ``skimage.metrics``:

    * PSNR: ``peak_signal_noise_ratio(gt_y, pred_y, data_range=1)``;
    * SSIM: ``structural_similarity`` with the standard settings of Wang et
      al. (2004): 11 x 11 Gaussian window (sigma 1.5), ``K1 = 0.01``,
      ``K2 = 0.03``, population covariance, ``data_range = 1``. The filters
      use reflect padding and skimage then discards the SSIM map within 5
      pixels (half the window) of the border before averaging.

    No border pixels are cropped before either metric by default
    (``crop_border=0``); SR papers that crop ``scale`` pixels can set
    ``crop_border=2``. PSNR and SSIM are computed per image in float64 and
    averaged over images (records are gathered over ranks first). A perfect
    reconstruction has infinite PSNR; it is capped at ``max_psnr``.

    Args:
        crop_border (int): Pixels removed at each border before computing
            the metrics. Defaults to 0.
        max_psnr (float): Cap for identical images. Defaults to 100.
        collect_device (str): Device for gathering results. Defaults to
            'cpu'.
        prefix (str, optional): Prefix of the metric names. Defaults to no
            prefix (keys ``PSNR``, ``SSIM``).
        collect_dir (str, optional): Temporary directory for 'cpu'
            collection. Defaults to None.
    """

    default_prefix: Optional[str] = ''

    def __init__(self,
                 crop_border: int = 0,
                 max_psnr: float = 100.0,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 collect_dir: Optional[str] = None) -> None:
        super().__init__(
            collect_device=collect_device,
            prefix=prefix,
            collect_dir=collect_dir)
        if crop_border < 0:
            raise ValueError(f'crop_border must be >= 0, got {crop_border}')
        self.crop_border = int(crop_border)
        self.max_psnr = float(max_psnr)

    def _y_channel(self, data_sample: dict, key: str) -> np.ndarray:
        """Y channel (H, W) float64 of ``data_sample[key].data``."""
        data = data_sample[key]['data']
        if data.dim() != 3 or data.shape[0] != 3:
            raise ValueError(f'SRMetric expects {key}.data of shape '
                             f'(3, H, W) YCbCr, got {tuple(data.shape)}')
        y = data[0].detach().float().cpu().numpy().astype(np.float64)
        y = np.clip(y, 0.0, 1.0)
        c = self.crop_border
        if c > 0:
            y = y[c:-c, c:-c]
        return y

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Store per-image PSNR and SSIM in ``self.results``.

        Args:
            data_batch (dict): A batch from the dataloader (unused).
            data_samples (Sequence[dict]): Model outputs as dicts.
        """
        for data_sample in data_samples:
            if 'pred_sr' not in data_sample:
                raise KeyError('SRMetric: the model did not output pred_sr; '
                               'set model.test_cfg.with_sr=True')
            if 'gt_sr' not in data_sample:
                raise KeyError('SRMetric: the data sample has no gt_sr; the '
                               'test pipeline must provide the HR target')
            pred = self._y_channel(data_sample, 'pred_sr')
            gt = self._y_channel(data_sample, 'gt_sr')
            if pred.shape != gt.shape:
                raise ValueError('SRMetric: pred_sr and gt_sr differ in size '
                                 f'({pred.shape} vs {gt.shape})')
            if np.array_equal(pred, gt):
                psnr = self.max_psnr
            else:
                psnr = min(
                    float(peak_signal_noise_ratio(gt, pred, data_range=1.0)),
                    self.max_psnr)
            ssim = float(
                structural_similarity(
                    gt,
                    pred,
                    data_range=1.0,
                    gaussian_weights=True,
                    sigma=1.5,
                    use_sample_covariance=False))
            self.results.append(dict(psnr=psnr, ssim=ssim))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Average the per-image values.

        Args:
            results (list[dict]): Records of all images.

        Returns:
            dict[str, float]: ``PSNR`` (dB) and ``SSIM``.
        """
        if len(results) == 0:
            raise ValueError('SRMetric: no images to evaluate')
        metrics = OrderedDict(
            PSNR=float(np.mean([r['psnr'] for r in results])),
            SSIM=float(np.mean([r['ssim'] for r in results])))
        print_log(
            f'SR metrics over {len(results)} images: PSNR '
            f"{metrics['PSNR']:.4f} dB, SSIM {metrics['SSIM']:.4f}",
            logger='current')
        return dict(metrics)


__all__ = ['SRMetric']

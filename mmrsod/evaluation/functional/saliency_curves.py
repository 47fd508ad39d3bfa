# Copyright (c) mmrsod contributors. All rights reserved.
"""Saving PR and F-/E-measure-threshold curves as JSON and PNG."""
import io
import json
from pathlib import Path
from typing import Dict, Mapping, Optional, Union

import numpy as np

from mmrsod.utils.atomic_io import atomic_write_bytes
from .sral_protocol import sral_thresholds


def _ascending(curve: np.ndarray, protocol: str, kind: str) -> Dict[str, list]:
    """Return ``thresholds`` and ``values`` in ascending threshold order.

    ``py_sod_metrics`` curves (256 values) are ordered from threshold 255
    down to 0; the SRAL protocol's P/R/F curves (255 values) are ordered by
    ascending ``linspace(0, 1 - 1e-10, 255)``; its E curve comes from the
    default implementation.
    """
    curve = np.asarray(curve, dtype=np.float64)
    if protocol == 'sral' and kind != 'e':
        thresholds = sral_thresholds(curve.size)
        values = curve
    else:
        thresholds = np.arange(curve.size) / (curve.size - 1)
        values = curve[::-1]
    return dict(thresholds=thresholds.tolist(), values=values.tolist())


def sod_curves_to_dict(curves: Mapping[str, np.ndarray],
                       protocol: str = 'default') -> dict:
    """Dataset-mean curves as a JSON-ready dict, ascending thresholds.

    Args:
        curves (Mapping): ``f_curve``, ``e_curve``, ``p_curve``, ``r_curve``
            from :func:`aggregate_sod_statistics`.
        protocol (str): ``'default'`` or ``'sral'``.

    Returns:
        dict: ``thresholds`` (in [0, 1]), ``precision``, ``recall``,
        ``fmeasure`` (aligned with ``thresholds``), and ``emeasure`` with
        its own ``emeasure_thresholds``.
    """
    if protocol not in ('default', 'sral'):
        raise ValueError(f"protocol must be 'default' or 'sral', got "
                         f'{protocol!r}')
    f = _ascending(curves['f_curve'], protocol, 'f')
    e = _ascending(curves['e_curve'], protocol, 'e')
    return dict(
        protocol=protocol,
        thresholds=f['thresholds'],
        precision=_ascending(curves['p_curve'], protocol, 'p')['values'],
        recall=_ascending(curves['r_curve'], protocol, 'r')['values'],
        fmeasure=f['values'],
        emeasure_thresholds=e['thresholds'],
        emeasure=e['values'])


def save_sod_curves(curves: Mapping[str, np.ndarray],
                    out_dir: Union[str, Path],
                    protocol: str = 'default',
                    title: Optional[str] = None) -> Dict[str, str]:
    """Write ``sod_curves.json``, ``pr_curve.png`` and ``f_curve.png``.

    Files are written atomically; matplotlib is used through its Agg
    canvas (no pyplot, no global backend change).

    Args:
        curves (Mapping): See :func:`sod_curves_to_dict`.
        out_dir (str | Path): Output directory (created).
        protocol (str): ``'default'`` or ``'sral'``.
        title (str, optional): Plot title.

    Returns:
        dict[str, str]: Paths of the written files (keys ``json``, ``pr``,
        ``f``).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    out_dir = Path(out_dir)
    data = sod_curves_to_dict(curves, protocol)
    paths = dict(
        json=out_dir / 'sod_curves.json',
        pr=out_dir / 'pr_curve.png',
        f=out_dir / 'f_curve.png')
    atomic_write_bytes(
        json.dumps(data, indent=1).encode('utf-8'), paths['json'])

    def _save(fig: Figure, path: Path) -> None:
        FigureCanvasAgg(fig)
        buffer = io.BytesIO()
        fig.savefig(buffer, format='png', dpi=120, bbox_inches='tight')
        atomic_write_bytes(buffer.getvalue(), path)

    fig = Figure(figsize=(5, 4.5))
    ax = fig.add_subplot(1, 1, 1)
    ax.plot(data['recall'], data['precision'], color='tab:red')
    ax.set_xlabel('Recall')
    ax.set_ylabel('Precision')
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.grid(True, alpha=0.3)
    ax.set_title(title or 'PR curve')
    _save(fig, paths['pr'])

    fig = Figure(figsize=(5, 4.5))
    ax = fig.add_subplot(1, 1, 1)
    ax.plot(
        data['thresholds'],
        data['fmeasure'],
        color='tab:red',
        label='F-measure (beta^2=0.3)')
    ax.plot(
        data['emeasure_thresholds'],
        data['emeasure'],
        color='tab:blue',
        linestyle='--',
        label='E-measure')
    ax.set_xlabel('Threshold')
    ax.set_ylabel('Score')
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.grid(True, alpha=0.3)
    ax.legend(loc='lower center')
    ax.set_title(title or 'F-measure / E-measure vs threshold')
    _save(fig, paths['f'])
    return {k: str(v) for k, v in paths.items()}


__all__ = ['sod_curves_to_dict', 'save_sod_curves']

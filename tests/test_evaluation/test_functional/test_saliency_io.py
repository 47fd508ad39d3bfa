# Copyright (c) mmrsod contributors. All rights reserved.
import json

import cv2
import numpy as np
import pytest

from mmrsod.evaluation.functional import (aggregate_sod_statistics,
                                          read_gray_map, save_sod_curves,
                                          sod_image_statistics,
                                          sral_image_statistics,
                                          write_gray_png)


def test_read_gray_variants(tmp_path):
    gray = np.zeros((5, 6), np.uint8)
    gray[1:3, 2:5] = 255
    write_gray_png(gray, tmp_path / 'sub' / 'g.png')
    np.testing.assert_array_equal(
        read_gray_map(tmp_path / 'sub' / 'g.png'), gray)
    assert not list((tmp_path / 'sub').glob('*.tmp'))
    cv2.imwrite(str(tmp_path / 'rgb.png'), np.dstack([gray] * 3))
    np.testing.assert_array_equal(read_gray_map(tmp_path / 'rgb.png'), gray)
    rgba = np.dstack([gray] * 3 + [np.full_like(gray, 255)])
    cv2.imwrite(str(tmp_path / 'rgba.png'), rgba)
    np.testing.assert_array_equal(read_gray_map(tmp_path / 'rgba.png'), gray)
    cv2.imwrite(str(tmp_path / 'g16.png'), gray.astype(np.uint16) * 257)
    np.testing.assert_array_equal(read_gray_map(tmp_path / 'g16.png'), gray)
    (tmp_path / 'broken.png').write_bytes(b'not an image')
    with pytest.raises(ValueError, match='broken.png'):
        read_gray_map(tmp_path / 'broken.png')
    with pytest.raises(FileNotFoundError, match='none.png'):
        read_gray_map(tmp_path / 'none.png')


@pytest.mark.parametrize('protocol', ['default', 'sral'])
def test_save_curves(tmp_path, protocol):
    gt = np.zeros((30, 30), np.uint8)
    gt[5:20, 5:20] = 255
    pred = cv2.GaussianBlur(gt, (7, 7), 3)
    fn = sral_image_statistics if protocol == 'sral' else \
        sod_image_statistics
    curves = aggregate_sod_statistics([fn(pred, gt)])['curves']
    paths = save_sod_curves(curves, tmp_path / 'curves', protocol)
    data = json.loads((tmp_path / 'curves' / 'sod_curves.json').read_text())
    num = 255 if protocol == 'sral' else 256
    assert len(data['thresholds']) == num
    assert len(data['precision']) == num == len(data['fmeasure'])
    assert len(data['emeasure']) == 256
    assert data['thresholds'][0] == 0
    assert max(data['fmeasure']) == pytest.approx(curves['f_curve'].max())
    for key in ('pr', 'f'):
        assert open(paths[key], 'rb').read(8) == b'\x89PNG\r\n\x1a\n'


def test_real_eorssd_masks_against_themselves():
    """Real GT files (gray, RGB 0006, RGBA 0136) score perfectly."""
    import os
    from pathlib import Path
    root = Path(
        os.environ.get(
            'MMRSOD_SHARED_DATA',
            Path(__file__).resolve().parents[3] / '..' / 'shared' / 'data'))
    labels = root / 'sod' / 'EORSSD' / 'test-labels'
    if not labels.is_dir():
        pytest.skip(f'EORSSD test labels not found at {labels}')
    records = []
    for name in ('0006.png', '0136.png', '0004.png'):
        gt = read_gray_map(labels / name)
        assert gt.ndim == 2 and gt.dtype == np.uint8
        assert (gt >= 128).any()
        # the masks hold a few JPEG-like stray values: binarise as the
        # data contract does (>= 128) to get the perfect prediction
        perfect = (gt >= 128).astype(np.uint8) * 255
        records.append(sod_image_statistics(perfect, gt))
    metrics = aggregate_sod_statistics(records)['metrics']
    assert metrics['MAE'] == 0
    assert metrics['Sm'] == pytest.approx(1.0)
    assert metrics['maxF'] == pytest.approx(1.0)

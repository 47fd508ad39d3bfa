# Copyright (c) mmrsod contributors. All rights reserved.
import os
import os.path as osp
import re
from pathlib import Path

import numpy as np
import pytest
from mmengine.registry import init_default_scope
from PIL import Image

from mmrsod.datasets import SOD_LAYOUTS, SODDataError, SODDataset


def _shared_data() -> Path:
    env = os.environ.get('MMRSOD_SHARED_DATA')
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / '..' / 'shared' / 'data'


def _save_pair(img_dir: Path,
               ann_dir: Path,
               stem: str,
               size=(20, 16),
               mask_size=None) -> None:
    """Write ``stem.jpg`` (w x h = size) and ``stem.png``."""
    img_dir.mkdir(parents=True, exist_ok=True)
    ann_dir.mkdir(parents=True, exist_ok=True)
    w, h = size
    rng = np.random.default_rng(list(stem.encode()))
    img = rng.integers(0, 255, (h, w, 3), dtype=np.uint8)
    Image.fromarray(img).save(img_dir / f'{stem}.jpg', quality=90)
    mw, mh = mask_size or size
    mask = np.zeros((mh, mw), np.uint8)
    mask[mh // 4:mh // 2, mw // 4:mw // 2] = 255
    Image.fromarray(mask).save(ann_dir / f'{stem}.png')


def _orssd(root: Path, split='train', stems=('0001', '0002', '0003')):
    for s in stems:
        _save_pair(root / f'{split}-images', root / f'{split}-labels', s)
    return root


def _build(root, split='train', **kwargs):
    kwargs.setdefault('layout', 'orssd')
    return SODDataset(data_root=str(root), split=split, **kwargs)


def test_orssd_layout_and_explicit_prefix(tmp_path):
    _orssd(tmp_path)
    ds = _build(tmp_path)
    assert len(ds) == 3
    info = ds.get_data_info(0)
    assert info['img_path'].endswith(osp.join('train-images', '0001.jpg'))
    assert info['seg_map_path'].endswith(osp.join('train-labels', '0001.png'))
    assert info['seg_fields'] == []
    assert ds.metainfo['classes'] == ('background', 'salient')
    assert len(ds.metainfo['palette']) == 2
    ds2 = SODDataset(
        data_root=str(tmp_path),
        data_prefix=dict(img_path='train-images', seg_map_path='train-labels'),
        img_suffix='.jpg',
        seg_map_suffix='.png')
    assert [d['img_path'] for d in ds2.load_data_list()
            ] == [d['img_path'] for d in ds.load_data_list()]


def test_layout_presets_are_consistent():
    assert set(SOD_LAYOUTS) >= {'orssd', 'eorssd', 'orsi4199', 'sral'}
    with pytest.raises(SODDataError, match='unknown SODDataset layout'):
        SODDataset(data_root='x', layout='nope', lazy_init=True)
    with pytest.raises(SODDataError, match='not both'):
        SODDataset(
            data_root='x',
            layout='orssd',
            data_prefix=dict(img_path='a', seg_map_path='b'),
            lazy_init=True)


def test_orsi4199_layout(tmp_path):
    root = tmp_path / 'ORSI-4199'
    for split, stems in (('train', ['0001', '0003']),
                         ('test', ['0002', '0004', '0005'])):
        for s in stems:
            _save_pair(root / f'{split}set' / 'images',
                       root / f'{split}set' / 'gt', s)
    train = SODDataset(data_root=str(root), layout='orsi4199')
    test = SODDataset(
        data_root=str(root), layout='orsi4199', split='test', test_mode=True)
    assert len(train) == 2 and len(test) == 3
    assert test.get_data_info(0)['seg_map_path'].endswith(
        osp.join('testset', 'gt', '0002.png'))


def test_sral_layout_with_ann_file(tmp_path):
    for s in ('a', 'b', 'c'):
        _save_pair(tmp_path / 'images', tmp_path / 'labels', s)
    (tmp_path / 'train.txt').write_text('a\nc\n')
    (tmp_path / 'test.txt').write_text('b\nzz\n')
    ds = SODDataset(data_root=str(tmp_path), layout='sral')
    assert [osp.basename(d['img_path'])
            for d in ds.load_data_list()] == ['a.jpg', 'c.jpg']
    with pytest.raises(SODDataError, match=r'test\.txt have no image.*zz'):
        SODDataset(data_root=str(tmp_path), layout='sral', split='test')


def test_missing_root(tmp_path):
    root = tmp_path / 'nowhere'
    with pytest.raises(
            SODDataError, match=re.escape(f'data_root not found: {root}')):
        _build(root)


def test_missing_split_folder(tmp_path):
    _orssd(tmp_path, split='train')
    with pytest.raises(SODDataError) as err:
        _build(tmp_path, split='test')
    msg = str(err.value)
    assert 'image folder not found' in msg
    assert str(tmp_path / 'test-images') in msg


def test_empty_folder_and_wrong_suffix(tmp_path):
    (tmp_path / 'train-images').mkdir()
    (tmp_path / 'train-labels').mkdir()
    with pytest.raises(
            SODDataError,
            match=re.escape(f'no *.jpg image files in '
                            f'{tmp_path / "train-images"}')):
        _build(tmp_path)
    Image.new('RGB', (4, 4)).save(tmp_path / 'train-images' / 'x.png')
    with pytest.raises(SODDataError, match='check img_suffix'):
        _build(tmp_path)


def test_image_without_mask_and_mask_without_image(tmp_path):
    _orssd(tmp_path, stems=[f'{i:04d}' for i in range(3)])
    for i in range(3, 10):
        _save_pair(tmp_path / 'train-images', tmp_path / 'spare', f'{i:04d}')
    with pytest.raises(SODDataError) as err:
        _build(tmp_path)
    msg = str(err.value)
    assert '7 image(s)' in msg and 'have no mask' in msg
    assert '0003.jpg' in msg and '(+2 more)' in msg
    assert '\n' not in msg

    root2 = tmp_path / 'two'
    _orssd(root2)
    _save_pair(root2 / 'spare', root2 / 'train-labels', 'lonely')
    with pytest.raises(SODDataError, match=r'1 mask\(s\).*lonely\.png'):
        _build(root2)


def test_truncated_and_unreadable_files(tmp_path):
    _orssd(tmp_path)
    jpg = tmp_path / 'train-images' / '0002.jpg'
    data = jpg.read_bytes()
    jpg.write_bytes(data[:-50])  # header intact, scan data cut
    with pytest.raises(
            SODDataError, match=re.escape(str(jpg)) + '.*truncated JPEG'):
        _build(tmp_path)
    # validation can be switched off
    assert len(_build(tmp_path, validate=False)) == 3

    root2 = tmp_path / 'png'
    _orssd(root2)
    png = root2 / 'train-labels' / '0003.png'
    png.write_bytes(png.read_bytes()[:-12])
    with pytest.raises(
            SODDataError, match=re.escape(str(png)) + '.*truncated PNG'):
        _build(root2)

    root3 = tmp_path / 'garbage'
    _orssd(root3)
    bad = root3 / 'train-images' / '0001.jpg'
    bad.write_bytes(b'this is not an image')
    with pytest.raises(
            SODDataError,
            match=re.escape(str(bad)) + '.*not a readable image'):
        _build(root3)


def test_exif_rotated_jpeg_is_rejected(tmp_path):
    _orssd(tmp_path)
    path = tmp_path / 'train-images' / '0001.jpg'
    exif = Image.Exif()
    exif[0x0112] = 3  # rotate 180: same size, silently misaligned mask
    Image.open(path).convert('RGB').save(path, exif=exif)
    with pytest.raises(
            SODDataError, match=re.escape(str(path)) + '.*EXIF orientation 3'):
        _build(tmp_path)


def test_mask_size_mismatch(tmp_path):
    _orssd(tmp_path)
    _save_pair(
        tmp_path / 'train-images',
        tmp_path / 'train-labels',
        '0004',
        size=(20, 16),
        mask_size=(16, 20))
    with pytest.raises(SODDataError) as err:
        _build(tmp_path)
    msg = str(err.value)
    assert 'differ in size' in msg
    assert str(tmp_path / 'train-labels' / '0004.png') in msg
    assert str(tmp_path / 'train-images' / '0004.jpg') in msg
    assert '16x20' in msg and '20x16' in msg


def _real_root(name: str) -> Path:
    root = _shared_data() / 'sod' / name
    if not root.is_dir():
        pytest.skip(f'{name} not found at {root}')
    return root


@pytest.mark.parametrize('name,count', [('ORSSD', 200), ('EORSSD', 600)])
def test_real_test_splits(name, count):
    root = _real_root(name)
    ds = SODDataset(
        data_root=str(root), layout=name.lower(), split='test', test_mode=True)
    assert len(ds) == count


def test_real_train_pipeline_shapes():
    root = _real_root('EORSSD')
    init_default_scope('mmseg')
    pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='LoadSODAnnotations'),
        dict(type='SODResize', scale=448, soft_label=False),
        dict(type='RandomFlipRotate'),
        dict(type='GenerateLRInput', scale_factor=0.5),
        dict(type='PackSODInputs'),
    ]
    ds = SODDataset(
        data_root=str(root),
        layout='eorssd',
        split='train',
        indices=2,
        validate=False,
        pipeline=pipeline)
    assert len(ds) == 2
    for i in range(2):
        out = ds[i]
        sample = out['data_samples']
        assert out['inputs'].shape == (3, 224, 224)
        assert str(out['inputs'].dtype) == 'torch.uint8'
        assert sample.gt_sem_seg.data.shape == (1, 448, 448)
        assert sample.gt_sr.data.shape == (3, 448, 448)
        assert sample.img_shape == (224, 224)
        assert sample.hr_shape == (448, 448)
        assert 'rotate' in sample and 'flip' in sample


def test_image_with_another_suffix_is_named(tmp_path):
    """``0012.tif`` next to the layout's ``*.jpg``: say so and what to set."""
    _orssd(tmp_path, stems=['0001', '0002'])
    _save_pair(tmp_path / 'spare', tmp_path / 'train-labels', '0012')
    Image.new('RGB', (8, 8)).save(tmp_path / 'train-images' / '0012.tif')
    with pytest.raises(SODDataError) as err:
        _build(tmp_path)
    msg = str(err.value)
    assert '1 mask(s)' in msg and '0012.png' in msg
    assert ('found 1 image(s) with another suffix: 0012.tif (set img_suffix, '
            "now '.jpg', to their suffix, or data_prefix['img_path']") in msg

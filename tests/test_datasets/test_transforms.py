# Copyright (c) mmrsod contributors. All rights reserved.
import re

import cv2
import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from mmseg.registry import TRANSFORMS
from PIL import Image

from mmrsod.datasets import SODDataError
from mmrsod.datasets.transforms import (GenerateLRInput, LoadSODAnnotations,
                                        PackSODInputs, RandomFlipRotate,
                                        SODResize, bgr_to_ycbcr)


def _mask_file(tmp_path, array, name='m.png'):
    path = tmp_path / name
    Image.fromarray(array).save(path)
    return str(path)


def _load(path, **kwargs):
    results = dict(seg_map_path=path, seg_fields=[], img_path='img.jpg')
    results.update(kwargs)
    return LoadSODAnnotations().transform(results)


def _asym_mask(h=6, w=8):
    """An L-shaped mask with no symmetry."""
    mask = np.zeros((h, w), np.uint8)
    mask[1:5, 1] = 1
    mask[4, 1:5] = 1
    return mask


# --------------------------------------------------------------------------
# LoadSODAnnotations
# --------------------------------------------------------------------------
def test_registered_names():
    for name in ('LoadSODAnnotations', 'SODResize', 'RandomFlipRotate',
                 'GenerateLRInput', 'PackSODInputs'):
        assert TRANSFORMS.get(name) is not None, name


def test_load_gray_mask_threshold(tmp_path):
    arr = np.array([[0, 127, 128, 255]], np.uint8)
    out = _load(_mask_file(tmp_path, arr), ori_shape=(1, 4))
    assert out['gt_seg_map'].dtype == np.uint8
    assert out['gt_seg_map'].tolist() == [[0, 0, 1, 1]]
    assert out['seg_fields'] == ['gt_seg_map']


def test_load_rgb_and_rgba_masks(tmp_path):
    ref = _asym_mask() * 255
    rgb = np.repeat(ref[..., None], 3, axis=2)
    out = _load(_mask_file(tmp_path, rgb, name='rgb.png'))
    assert np.array_equal(out['gt_seg_map'], ref // 255)
    # opaque RGBA (as EORSSD test/0136.png)
    rgba = np.concatenate([rgb, np.full(ref.shape + (1, ), 255, np.uint8)],
                          axis=2)
    out = _load(_mask_file(tmp_path, rgba, name='rgba.png'))
    assert np.array_equal(out['gt_seg_map'], ref // 255)
    # mask stored in the alpha channel of a white image
    alpha = np.concatenate(
        [np.full(ref.shape + (3, ), 255, np.uint8), ref[..., None]], axis=2)
    out = _load(_mask_file(tmp_path, alpha, name='alpha.png'))
    assert np.array_equal(out['gt_seg_map'], ref // 255)
    # palette and 16-bit masks
    pal = Image.fromarray(ref).convert('P')
    pal.save(tmp_path / 'p.png')
    assert np.array_equal(
        _load(str(tmp_path / 'p.png'))['gt_seg_map'], ref // 255)
    Image.fromarray(ref.astype(np.uint16) * 257).save(tmp_path / 'i16.png')
    assert np.array_equal(
        _load(str(tmp_path / 'i16.png'))['gt_seg_map'], ref // 255)


def test_load_errors_name_the_file(tmp_path):
    missing = str(tmp_path / 'missing.png')
    with pytest.raises(SODDataError, match=re.escape(missing)):
        _load(missing)
    bad = tmp_path / 'bad.png'
    bad.write_bytes(b'\x89PNG\r\n\x1a\n garbage')
    with pytest.raises(SODDataError, match=re.escape(str(bad))):
        _load(str(bad))
    good = _mask_file(tmp_path, np.zeros((4, 5), np.uint8))
    with pytest.raises(SODDataError, match=r'is 4x5 \(HxW\) but image'):
        _load(good, ori_shape=(5, 4))
    zero_one = _mask_file(tmp_path, _asym_mask(), name='01.png')
    with pytest.raises(SODDataError, match='threshold=1'):
        _load(zero_one)
    out = LoadSODAnnotations(threshold=1).transform(
        dict(seg_map_path=zero_one, seg_fields=[]))
    assert np.array_equal(out['gt_seg_map'], _asym_mask())


# --------------------------------------------------------------------------
# SODResize
# --------------------------------------------------------------------------
def _sample(h=12, w=16, seed=0):
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    mask = np.zeros((h, w), np.uint8)
    mask[2:7, 3:6] = 1
    return dict(
        img=img,
        img_shape=(h, w),
        ori_shape=(h, w),
        gt_seg_map=mask,
        seg_fields=['gt_seg_map'])


@pytest.mark.parametrize('backend', ['pillow', 'cv2'])
def test_resize_hard_and_soft(backend):
    hard = SODResize(scale=(24, 20), backend=backend).transform(_sample())
    soft = SODResize(
        scale=(24, 20), soft_label=True, backend=backend).transform(_sample())
    assert hard['img'].shape == (24, 20, 3) and hard['img'].dtype == np.uint8
    assert hard['img_shape'] == (24, 20)
    assert hard['gt_seg_map'].dtype == np.uint8
    assert set(np.unique(hard['gt_seg_map'])) <= {0, 1}
    assert soft['gt_seg_map'].dtype == np.float32
    vals = soft['gt_seg_map']
    assert vals.min() >= 0 and vals.max() <= 1
    assert ((vals > 0) & (vals < 1)).any()  # soft edges
    assert np.array_equal(hard['gt_seg_map'], (vals >= 0.5).astype(np.uint8))


def test_resize_before_annotations_keeps_gt_resolution(tmp_path):
    mask = _asym_mask() * 255
    path = _mask_file(tmp_path, mask)
    results = dict(
        img=np.zeros((6, 8, 3), np.uint8),
        img_shape=(6, 8),
        ori_shape=(6, 8),
        seg_map_path=path,
        seg_fields=[])
    results = SODResize(scale=16).transform(results)
    results = LoadSODAnnotations().transform(results)
    assert results['img'].shape == (16, 16, 3)
    assert results['gt_seg_map'].shape == (6, 8)


# --------------------------------------------------------------------------
# RandomFlipRotate
# --------------------------------------------------------------------------
def test_flip_rotate_ops_match_numpy():
    a = np.arange(12).reshape(3, 4)
    f = RandomFlipRotate.apply
    assert np.array_equal(f(a, ('horizontal', ), 0), a[:, ::-1])
    assert np.array_equal(f(a, ('vertical', ), 0), a[::-1])
    assert np.array_equal(f(a, (), 90), np.rot90(a))
    assert np.array_equal(f(a, ('horizontal', 'vertical'), 0), np.rot90(a, 2))
    # torchvision/PIL rotate counter-clockwise for positive angles
    pil = np.asarray(
        Image.fromarray(a.astype(np.uint8)).rotate(90, expand=True))
    assert np.array_equal(f(a, (), 90), pil)


def test_flip_rotate_consistent_and_recorded():
    np.random.seed(0)
    t = RandomFlipRotate()
    seen = set()
    for _ in range(60):
        r = _sample(h=10, w=10)
        img0 = r['img'].copy()
        mask0 = r['gt_seg_map'].copy()
        out = t.transform(r)
        flips, angle = out['flip_direction'], out['rotate']
        assert out['flip'] is True  # the authors' scheme always flips
        assert angle in (0, 90, 180, 270)
        assert np.array_equal(out['img'],
                              RandomFlipRotate.apply(img0, flips, angle))
        assert np.array_equal(out['gt_seg_map'],
                              RandomFlipRotate.apply(mask0, flips, angle))
        seen.add(out['gt_seg_map'].tobytes())
    # the scheme reaches all 8 symmetries of the square
    assert len(seen) == 8


def test_flip_rotate_independent_and_errors():
    t = RandomFlipRotate(
        scheme='independent', hflip_prob=0, vflip_prob=0, angles=(0, ))
    r = _sample()
    img0 = r['img'].copy()
    out = t.transform(r)
    assert np.array_equal(out['img'], img0)
    assert out['flip'] is False and out['flip_direction'] is None
    t = RandomFlipRotate(
        scheme='independent',
        hflip_prob=1,
        vflip_prob=0,
        angles=(90, ),
        rotate_mode='exact')
    out = t.transform(_sample(h=4, w=6))
    assert out['img'].shape == (6, 4, 3) and out['img_shape'] == (6, 4)
    assert out['gt_seg_map'].shape == (6, 4)
    assert 'canvas_fill_mask' not in out
    with pytest.raises(ValueError, match='multiples of 90'):
        RandomFlipRotate(angles=(45, ))
    with pytest.raises(ValueError, match='scheme'):
        RandomFlipRotate(scheme='foo')
    with pytest.raises(ValueError, match='rotate_mode'):
        RandomFlipRotate(rotate_mode='expand')


def test_canvas_rotation_by_hand():
    """The authors' rotation: canvas kept, ends cut, black bars."""
    img = np.arange(1, 16, dtype=np.uint8).reshape(3, 5)
    # 90 degrees counter-clockwise: the 5x3 rotated image is centred in
    # the 3x5 canvas; its first and last rows are cut, columns 0 and 4 fill
    expected = np.array([[0, 4, 9, 14, 0], [0, 3, 8, 13, 0], [0, 2, 7, 12, 0]],
                        np.uint8)
    assert np.array_equal(RandomFlipRotate.rotate_canvas(img, 90), expected)
    soft = img.astype(np.float32) / 16
    assert np.array_equal(
        RandomFlipRotate.rotate_canvas(soft, 90), expected / np.float32(16))
    # square images: the exact rotation
    sq = np.arange(16, dtype=np.uint8).reshape(4, 4)
    for angle in (90, 180, 270):
        assert np.array_equal(
            RandomFlipRotate.rotate_canvas(sq, angle),
            np.rot90(sq, angle // 90))
    # the transform: flips first, then the rotation; fill recorded
    t = RandomFlipRotate(
        scheme='independent', hflip_prob=1, vflip_prob=0, angles=(90, ))
    r = dict(
        img=np.repeat(img[..., None], 3, axis=2),
        gt_seg_map=(img > 7).astype(np.uint8),
        seg_fields=['gt_seg_map'])
    out = t.transform(r)
    flipped = img[:, ::-1]
    want = RandomFlipRotate.rotate_canvas(np.ascontiguousarray(flipped), 90)
    assert np.array_equal(out['img'][..., 1], want)
    assert out['img'].shape == (3, 5, 3) and out['img_shape'] == (3, 5)
    assert np.array_equal(out['gt_seg_map'], ((want > 7)).astype(np.uint8))
    fill = np.zeros((3, 5), np.uint8)
    fill[:, [0, 4]] = 1
    assert np.array_equal(out['canvas_fill_mask'], fill)
    with pytest.raises(ValueError, match='before SODResize'):
        t.transform(dict(img=img, img_original=img))


def test_authors_order_and_lr_from_original():
    """flip/rotate the original, resize, LR from the original (PIL)."""
    rng = np.random.default_rng(5)
    img = rng.integers(0, 256, (6, 10, 3), dtype=np.uint8)
    r = dict(
        img=img.copy(),
        gt_seg_map=np.ones((6, 10), np.uint8),
        seg_fields=['gt_seg_map'],
        ori_shape=(6, 10))
    r = RandomFlipRotate(
        scheme='independent', hflip_prob=0, vflip_prob=0,
        angles=(270, )).transform(r)
    rotated = RandomFlipRotate.rotate_canvas(img, 270)
    assert np.array_equal(r['img'], rotated)
    r = SODResize(scale=8, soft_label=True, keep_original=True).transform(r)
    assert np.array_equal(r['img_original'], rotated)
    # the fill mask (2 columns each side of the 10-wide canvas) is resized
    # bilinearly like the image
    fill = np.zeros((6, 10), np.uint8)
    fill[:, [0, 1, 8, 9]] = 255
    fill_hr = np.asarray(Image.fromarray(fill).resize(
        (8, 8), Image.BILINEAR)).astype(np.float32) / 255
    assert np.allclose(r['canvas_fill_mask'], fill_hr)
    hr = r['img'].copy()
    out = GenerateLRInput(
        interpolation='bilinear', backend='pillow',
        source='original').transform(r)
    lr = np.asarray(Image.fromarray(rotated).resize((4, 4), Image.BILINEAR))
    assert np.array_equal(out['img'], lr)
    assert 'img_original' not in out and 'canvas_fill_mask' not in out
    # SR target: YCbCr of the HR image, with the authors' zero chroma where
    # the rotation filled (their YCbCr image is rotated with fill 0)
    want = bgr_to_ycbcr(hr)
    want[..., 1:] -= fill_hr[..., None] * np.float32(128 / 255)
    assert np.allclose(out['gt_sr'], np.clip(want, 0, 1), atol=1e-6)
    assert np.allclose(out['gt_sr'][:, 0, 1:], 0, atol=1e-6)  # pure fill
    with pytest.raises(ValueError, match='keep_original=True'):
        GenerateLRInput(source='original').transform(_sample(h=8, w=12))
    with pytest.raises(ValueError, match='source'):
        GenerateLRInput(source='lr')


# --------------------------------------------------------------------------
# GenerateLRInput / YCbCr
# --------------------------------------------------------------------------
def test_bgr_to_ycbcr_matches_pil():
    rng = np.random.default_rng(1)
    rgb = rng.integers(0, 256, (9, 7, 3), dtype=np.uint8)
    ours = bgr_to_ycbcr(rgb[..., ::-1].copy())
    pil = np.asarray(Image.fromarray(rgb).convert('YCbCr')) / 255.0
    assert ours.dtype == np.float32 and ours.shape == (9, 7, 3)
    assert np.abs(ours - pil).max() <= 1.0 / 255 + 1e-6


def test_generate_lr_input_bicubic():
    r = _sample(h=8, w=12)
    hr = r['img'].copy()
    out = GenerateLRInput().transform(r)
    expected = cv2.resize(hr, (6, 4), interpolation=cv2.INTER_CUBIC)
    assert np.array_equal(out['img'], expected)
    assert out['img_shape'] == (4, 6) and out['hr_shape'] == (8, 12)
    assert np.allclose(out['gt_sr'], bgr_to_ycbcr(hr))
    out = GenerateLRInput(
        make_sr_target=False, interpolation='bilinear',
        backend='pillow').transform(_sample(h=8, w=12))
    assert 'gt_sr' not in out and out['img'].shape == (4, 6, 3)
    with pytest.raises(ValueError, match='not divisible'):
        GenerateLRInput().transform(_sample(h=7, w=12))


def test_pipeline_keeps_input_mask_and_sr_target_aligned():
    """LR input, mask and SR target stay aligned after augmentation."""
    h, w = 40, 56
    img = np.full((h, w, 3), 30, np.uint8)
    mask = np.zeros((h, w), np.uint8)
    # asymmetric bright object: an L shape in the top-left quadrant
    mask[4:20, 6:12] = 1
    mask[14:20, 6:26] = 1
    img[mask == 1] = (40, 200, 250)  # BGR
    resize = SODResize(scale=32)
    flip = RandomFlipRotate()
    lr = GenerateLRInput()
    np.random.seed(3)
    for _ in range(8):
        r = dict(
            img=img.copy(),
            gt_seg_map=mask.copy(),
            seg_fields=['gt_seg_map'],
            ori_shape=(h, w))
        r = resize.transform(r)
        hr0, mask0 = r['img'].copy(), r['gt_seg_map'].copy()
        r = flip.transform(r)
        r = lr.transform(r)
        hr = RandomFlipRotate.apply(hr0, r['flip_direction'], r['rotate'])
        # LR input == bicubic-down(augmented HR)
        assert np.array_equal(
            r['img'], cv2.resize(hr, (16, 16), interpolation=cv2.INTER_CUBIC))
        # mask follows the image: salient pixels are the bright ones
        y = r['gt_sr'][..., 0]
        m = r['gt_seg_map'].astype(bool)
        assert np.array_equal(
            m,
            RandomFlipRotate.apply(mask0, r['flip_direction'],
                                   r['rotate']).astype(bool))
        # (boundary pixels are blends; the hard mask is soft >= 0.5, so they
        # split at the mid grey level)
        mid = (bgr_to_ycbcr(img[:1, :1])[0, 0, 0] +
               bgr_to_ycbcr(img[mask == 1][None, :1])[0, 0, 0]) / 2
        assert y[m].min() > mid - 0.01 and y[~m].max() < mid + 0.01
        assert y[m].mean() > 0.6 and y[~m].mean() < 0.2
        # the LR image is bright where the (downsampled) mask is
        m_lr = cv2.resize(
            m.astype(np.uint8), (16, 16),
            interpolation=cv2.INTER_AREA).astype(bool)
        gray = r['img'].mean(axis=2)
        assert gray[m_lr].mean() > 2 * gray[~m_lr].mean()


# --------------------------------------------------------------------------
# PackSODInputs and the full pipeline through the registry
# --------------------------------------------------------------------------
def test_pack_sod_inputs():
    r = _sample(h=8, w=8)
    r = SODResize(scale=8, soft_label=True).transform(r)
    r = GenerateLRInput().transform(r)
    r.update(img_path='a.jpg', seg_map_path='a.png', unused='x')
    packed = PackSODInputs().transform(r)
    inputs, ds = packed['inputs'], packed['data_samples']
    assert inputs.dtype == torch.uint8 and inputs.shape == (3, 4, 4)
    assert torch.equal(inputs, torch.from_numpy(r['img']).permute(2, 0, 1))
    assert ds.gt_sem_seg.data.dtype == torch.float32
    assert ds.gt_sem_seg.data.shape == (1, 8, 8)
    assert ds.gt_sr.data.dtype == torch.float32
    assert ds.gt_sr.data.shape == (3, 8, 8)
    assert ds.img_path == 'a.jpg' and ds.hr_shape == (8, 8)
    assert ds.img_shape == (4, 4) and ds.ori_shape == (8, 8)
    assert 'unused' not in ds.metainfo


def test_full_pipeline_from_registry(tmp_path):
    init_default_scope('mmseg')
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (30, 40, 3), dtype=np.uint8)
    Image.fromarray(img).save(tmp_path / 'x.jpg', quality=95)
    mask = np.zeros((30, 40), np.uint8)
    mask[5:15, 5:25] = 255
    Image.fromarray(mask).save(tmp_path / 'x.png')
    results = dict(
        img_path=str(tmp_path / 'x.jpg'),
        seg_map_path=str(tmp_path / 'x.png'),
        seg_fields=[],
        reduce_zero_label=False)
    train = [
        dict(type='LoadImageFromFile'),
        dict(type='LoadSODAnnotations'),
        dict(type='SODResize', scale=32, soft_label=True),
        dict(type='RandomFlipRotate'),
        dict(type='GenerateLRInput'),
        dict(type='PackSODInputs'),
    ]
    test = [
        dict(type='LoadImageFromFile'),
        dict(type='SODResize', scale=32),
        dict(type='GenerateLRInput', make_sr_target=False),
        dict(type='LoadSODAnnotations'),
        dict(type='PackSODInputs'),
    ]
    out = results.copy()
    for cfg in train:
        out = TRANSFORMS.build(cfg)(out)
    assert out['inputs'].shape == (3, 16, 16)
    assert out['data_samples'].gt_sem_seg.data.shape == (1, 32, 32)
    assert out['data_samples'].gt_sr.data.shape == (3, 32, 32)
    out = dict(results, seg_fields=[])
    for cfg in test:
        out = TRANSFORMS.build(cfg)(out)
    ds = out['data_samples']
    assert out['inputs'].shape == (3, 16, 16)
    assert ds.gt_sem_seg.data.shape == (1, 30, 40)  # original resolution
    assert set(ds.gt_sem_seg.data.unique().tolist()) == {0.0, 1.0}
    assert ds.ori_shape == (30, 40) and ds.img_shape == (16, 16)
    assert 'gt_sr' not in ds

# Copyright (c) mmrsod contributors. All rights reserved.
"""DownsampleToLR, PackDetSRInputs and DetSRDataPreprocessor."""
import copy

import cv2
import numpy as np
import pytest
import torch
from mmdet.datasets.transforms import RandomFlip, Resize
from mmdet.models.data_preprocessors import DetDataPreprocessor
from mmdet.structures.bbox import HorizontalBoxes
from PIL import Image

from mmrsod.datasets.transforms import DownsampleToLR, PackDetSRInputs
from mmrsod.models import DetSRDataPreprocessor


def _results(h=48, w=64, seed=0):
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    return dict(
        img=img,
        img_path='tile_0_0.png',
        img_shape=(h, w),
        ori_shape=(h, w),
        gt_bboxes=HorizontalBoxes(
            np.array([[10., 20., 30., 44.], [0., 1.5, 64., 48.]],
                     dtype=np.float32)),
        gt_bboxes_labels=np.array([0, 3]),
        gt_ignore_flags=np.array([False, False]))


def test_boxes_shapes_and_hr_target():
    results = _results()
    hr = results['img'].copy()
    out = DownsampleToLR(scale=2)(results)
    np.testing.assert_array_equal(out['gt_bboxes'].numpy(),
                                  [[5., 10., 15., 22.], [0., 0.75, 32., 24.]])
    assert out['img'].shape == (24, 32, 3) and out['img_shape'] == (24, 32)
    assert out['ori_shape'] == (48, 64) and out['hr_shape'] == (48, 64)
    assert out['scale_factor'] == (0.5, 0.5)
    np.testing.assert_allclose(out['homography_matrix'],
                               np.diag([0.5, 0.5, 1.0]))
    assert out['gt_sr'].dtype == np.uint8
    np.testing.assert_array_equal(out['gt_sr'], hr)


def test_scale_factor_composes_with_an_earlier_resize():
    results = _results()
    results['scale_factor'] = (0.8, 0.5)
    results['homography_matrix'] = np.diag([0.8, 0.5, 1.0]).astype(np.float32)
    out = DownsampleToLR(scale=4)(results)
    assert out['scale_factor'] == (0.2, 0.125)
    np.testing.assert_allclose(out['homography_matrix'],
                               np.diag([0.2, 0.125, 1.0]))
    assert out['img'].shape == (12, 16, 3)


def test_lr_is_pil_bicubic_by_default_and_cv2_on_request():
    results = _results()
    hr = results['img'].copy()
    pil = np.asarray(
        Image.fromarray(hr).resize((32, 24), Image.Resampling.BICUBIC))
    out = DownsampleToLR()(copy.deepcopy(results))
    np.testing.assert_array_equal(out['img'], pil)
    ocv = cv2.resize(hr, (32, 24), interpolation=cv2.INTER_CUBIC)
    out = DownsampleToLR(backend='cv2')(copy.deepcopy(results))
    np.testing.assert_array_equal(out['img'], ocv)
    # the two kernels differ (PIL's is widened: anti-aliased)
    assert not np.array_equal(pil, ocv)


def test_bad_sizes_and_arguments_are_named():
    with pytest.raises(ValueError, match=r'tile_0_0\.png is 47x64'):
        DownsampleToLR(scale=2)(_results(h=47))
    with pytest.raises(ValueError, match='scale must be an integer'):
        DownsampleToLR(scale=1.5)
    with pytest.raises(ValueError, match='unknown backend'):
        DownsampleToLR(backend='matlab')


def test_pad_to_multiple_keeps_the_frame():
    results = _results(h=47, w=63)
    hr = results['img'].copy()
    out = DownsampleToLR(scale=2, pad_to_multiple=True)(results)
    assert out['img'].shape == (24, 32, 3) and out['hr_shape'] == (48, 64)
    assert out['ori_shape'] == (47, 63) and out['scale_factor'] == (0.5, 0.5)
    np.testing.assert_array_equal(out['gt_sr'][:47, :63], hr)
    assert out['gt_sr'][47:].sum() == 0 and out['gt_sr'][:, 63:].sum() == 0
    padded = np.zeros((48, 64, 3), np.uint8)
    padded[:47, :63] = hr
    pil = Image.fromarray(padded).resize((32, 24), Image.Resampling.BICUBIC)
    np.testing.assert_array_equal(out['img'], np.asarray(pil))
    np.testing.assert_array_equal(out['gt_bboxes'].numpy()[0],
                                  [5., 10., 15., 22.])


def test_test_pipeline_without_annotations():
    results = _results()
    for key in ('gt_bboxes', 'gt_bboxes_labels', 'gt_ignore_flags'):
        results.pop(key)
    out = DownsampleToLR(keep_hr=False)(results)
    assert 'gt_sr' not in out and 'gt_bboxes' not in out
    packed = PackDetSRInputs()(out)
    assert packed['inputs'].shape == (3, 24, 32)
    assert 'gt_sr' not in packed['data_samples']
    assert packed['data_samples'].scale_factor == (0.5, 0.5)


def test_pack_carries_gt_sr_and_refuses_a_late_flip():
    results = _results()
    hr = results['img'].copy()
    packed = PackDetSRInputs()(DownsampleToLR()(results))
    sample = packed['data_samples']
    assert packed['inputs'].shape == (3, 24, 32)
    assert sample.gt_sr.data.dtype == torch.uint8
    np.testing.assert_array_equal(sample.gt_sr.data.numpy(),
                                  hr.transpose(2, 0, 1))
    np.testing.assert_array_equal(sample.gt_instances.bboxes.numpy(),
                                  [[5., 10., 15., 22.], [0., 0.75, 32., 24.]])

    flip = RandomFlip(prob=1.0, direction='horizontal')
    early = PackDetSRInputs()(DownsampleToLR()(flip(_results())))
    np.testing.assert_array_equal(early['data_samples'].gt_sr.data.numpy(),
                                  hr[:, ::-1].transpose(2, 0, 1))
    with pytest.raises(ValueError, match='RandomFlip before DownsampleToLR'):
        PackDetSRInputs()(flip(DownsampleToLR()(_results())))


def test_pack_refuses_a_resize_after_downsampling():
    resize = Resize(scale=(16, 12), keep_ratio=False)
    # before: composed, HR frame kept (64x48 -> 16x12 -> 8x6)
    packed = PackDetSRInputs()(DownsampleToLR()(resize(_results())))
    assert packed['data_samples'].scale_factor == (0.125, 0.125)
    # after: mmdet's Resize overwrites scale_factor (32x24 -> 8x6: 0.25)
    late = Resize(scale=(8, 6), keep_ratio=False)
    with pytest.raises(
            ValueError, match=r'changed from \(0.5, 0.5\) .* \(0.25, 0.25\)'):
        PackDetSRInputs()(late(DownsampleToLR(keep_hr=False)(_results())))


def _batch(pipeline_outputs):
    return dict(
        inputs=[p['inputs'] for p in pipeline_outputs],
        data_samples=[p['data_samples'] for p in pipeline_outputs])


def test_det_data_preprocessor_passes_gt_sr_through():
    hr = _results()['img']
    packed = PackDetSRInputs()(DownsampleToLR()(_results()))
    out = DetDataPreprocessor(pad_size_divisor=32)(_batch([packed]))
    assert out['inputs'].shape == (1, 3, 32, 32)  # LR 24x32 padded
    gt_sr = out['data_samples'][0].gt_sr.data
    assert gt_sr.dtype == torch.uint8  # untouched: not padded, not scaled
    np.testing.assert_array_equal(gt_sr.numpy(), hr.transpose(2, 0, 1))


def test_det_sr_data_preprocessor_makes_the_float_target():
    hrs = [_results(seed=s)['img'] for s in (0, 1)]
    packed = [
        PackDetSRInputs()(DownsampleToLR()(_results(seed=s))) for s in (0, 1)
    ]
    pre = DetSRDataPreprocessor(
        mean=[0, 0, 0],
        std=[255, 255, 255],
        bgr_to_rgb=True,
        pad_size_divisor=32)
    out = pre(_batch(packed), training=True)
    target = torch.stack([s.gt_sr.data for s in out['data_samples']])
    assert target.shape == (2, 3, 64, 64)  # 2 x the padded 32x32 input
    assert out['data_samples'][0].sr_scale == 2
    for i, hr in enumerate(hrs):
        rgb = hr[..., ::-1].transpose(2, 0, 1).astype(np.float32) / 255
        np.testing.assert_allclose(target[i, :, :48, :64].numpy(), rgb)
        assert target[i, :, 48:].abs().sum() == 0
    # the input got the same channel flip: LR pixel (0, 0) in RGB / 255
    lr_rgb = packed[0]['inputs'][[2, 1, 0], 0, 0].float() / 255
    torch.testing.assert_close(out['inputs'][0, :, 0, 0], lr_rgb)


def test_lr_prediction_is_scored_in_the_hr_frame(tmp_path):
    """A perfect LR-frame box, rescaled by mmdet's head post-processing,
    is the HR GT box: AP = 1, and it counts as 'medium' (40x40 HR) although
    it is 'small' (20x20 < 32^2) in the LR input."""
    import json

    from mmdet.models.dense_heads import RetinaHead
    from mmdet.structures import DetDataSample
    from mmengine.config import ConfigDict
    from mmengine.registry import DefaultScope
    from mmengine.structures import InstanceData

    from mmrsod.datasets import NWPUVHR10Dataset
    from mmrsod.evaluation import CocoPRCurveMetric

    rng = np.random.default_rng(0)
    cv2.imwrite(
        str(tmp_path / 'hr.png'),
        rng.integers(0, 256, (128, 128, 3), dtype=np.uint8))
    ann = dict(
        images=[dict(id=1, file_name='hr.png', width=128, height=128)],
        annotations=[
            dict(
                id=1,
                image_id=1,
                category_id=1,
                bbox=[20, 30, 40, 40],
                area=1600,
                iscrowd=0)
        ],
        categories=[
            dict(id=i + 1, name=n)
            for i, n in enumerate(NWPUVHR10Dataset.METAINFO['classes'])
        ])
    ann_file = tmp_path / 'gt.json'
    ann_file.write_text(json.dumps(ann))
    with DefaultScope.overwrite_default_scope('mmdet'):
        dataset = NWPUVHR10Dataset(
            data_root=str(tmp_path),
            ann_file='gt.json',
            data_prefix=dict(img=''),
            pipeline=[
                dict(type='LoadImageFromFile'),
                dict(type='LoadAnnotations', with_bbox=True),
                dict(type='DownsampleToLR', scale=2),
                dict(type='PackDetSRInputs')
            ])
    sample: DetDataSample = dataset[0]['data_samples']
    lr_box = sample.gt_instances.bboxes.tensor
    np.testing.assert_array_equal(lr_box.numpy(), [[10., 15., 30., 35.]])
    assert sample.ori_shape == (128, 128) and sample.img_shape == (64, 64)

    with DefaultScope.overwrite_default_scope('mmdet'):  # its task utils
        head = RetinaHead(num_classes=10, in_channels=8, feat_channels=8)
    pred = head._bbox_post_process(
        InstanceData(
            bboxes=lr_box.clone(),
            scores=torch.tensor([0.9]),
            labels=torch.tensor([0])),
        ConfigDict(),
        rescale=True,
        with_nms=False,
        img_meta=sample.metainfo)
    np.testing.assert_array_equal(pred.bboxes.numpy(), [[20., 30., 60., 70.]])

    metric = CocoPRCurveMetric(ann_file=str(ann_file))
    metric.dataset_meta = dataset.metainfo
    sample.pred_instances = pred
    metric.process({}, [sample.to_dict()])
    results = metric.evaluate(size=1)
    assert results['coco/bbox_mAP'] == 1.0
    assert results['coco/bbox_mAP_m'] == 1.0
    assert results['coco/bbox_mAP_s'] == -1.0  # no small HR object

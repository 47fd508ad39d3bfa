# Copyright (c) mmrsod contributors. All rights reserved.
"""Test helpers for the detection tool tests: a tiny generated COCO set in
the prepared NWPU layout and a fast config that inherits a real baseline.

The LR step of these configs is test-local (mmdet's ``Resize`` by
``1 / LR_SCALE`` and ``PackDetInputs``, ``CocoMetric``) so that they run
without the project's ``DownsampleToLR``/``PackDetSRInputs``/
``CocoPRCurveMetric``; ``TRAIN_PIPELINE``, ``TEST_PIPELINE`` and
``EVALUATOR`` below are the only places that name them.
"""
import json
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np
from PIL import Image, ImageDraw

REPO = Path(__file__).resolve().parents[2]

NWPU_CLASSES = ('airplane', 'ship', 'storage tank', 'baseball diamond',
                'tennis court', 'basketball court', 'ground track field',
                'harbor', 'bridge', 'vehicle')

#: HR images of the tiny set are ``HR_SIZE`` px; the network sees
#: ``HR_SIZE / LR_SCALE``.
HR_SIZE = 256

TRAIN_PIPELINE = '''[
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale_factor={inv_scale}, keep_ratio=True),
    dict(type='PackDetInputs'),
]'''
TEST_PIPELINE = '''[
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale_factor={inv_scale}, keep_ratio=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                    'scale_factor')),
]'''
EVALUATOR = ("dict(_delete_=True, type='CocoMetric', "
             "ann_file=data_root + 'nwpu_vhr10_{split}.json', "
             "metric='bbox', classwise=True)")

CONFIG = '''
_base_ = ['{base}']
custom_imports = dict(
    imports=['mmrsod.datasets', 'mmrsod.models', 'mmrsod.evaluation',
             'mmrsod.engine', 'rank_probe_hook'],
    allow_failed_imports=False)
data_root = '{data_root}/'
train_pipeline = {train_pipeline}
test_pipeline = {test_pipeline}
train_dataloader = dict(
    num_workers=0, persistent_workers=False,
    sampler=dict(shuffle=False),
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = dict(
    num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
val_evaluator = {val_evaluator}
test_evaluator = {test_evaluator}
model = dict(backbone=dict(init_cfg=None){model_extra})
train_cfg = dict(max_epochs={max_epochs}, val_begin=1000)
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(interval={max_epochs}))
log_processor = dict(by_epoch=True)
randomness = dict(seed=0)
{extra}
'''


def make_tiny_coco(root: Path,
                   num_images: int = 4,
                   seed: int = 0) -> List[Dict]:
    """Write ``num_images`` textured ``HR_SIZE`` px PNGs with 2-3 filled
    rectangles each (NWPU classes) under ``root/images/`` and the same
    COCO json as ``root/nwpu_vhr10_{train,val,test}.json``.

    Returns:
        list[dict]: The COCO annotations written.
    """
    rng = np.random.default_rng(seed)
    (root / 'images').mkdir(parents=True, exist_ok=True)
    images, annotations = [], []
    for img_id in range(1, num_images + 1):
        noise = rng.integers(60, 120, (HR_SIZE, HR_SIZE, 3), dtype=np.uint8)
        img = Image.fromarray(noise)
        draw = ImageDraw.Draw(img)
        for _ in range(int(rng.integers(2, 4))):
            w, h = (int(v) for v in rng.integers(24, 96, 2))
            x, y = (int(v) for v in rng.integers(0, HR_SIZE - 96, 2))
            cat = int(rng.integers(1, len(NWPU_CLASSES) + 1))
            color = tuple(int(v) for v in rng.integers(150, 255, 3))
            draw.rectangle([x, y, x + w - 1, y + h - 1], fill=color)
            annotations.append(
                dict(
                    id=len(annotations) + 1,
                    image_id=img_id,
                    category_id=cat,
                    bbox=[float(x), float(y),
                          float(w), float(h)],
                    area=float(w * h),
                    iscrowd=0))
        name = f'images/tile_{img_id:02d}_0_0.png'
        img.save(root / name)
        images.append(
            dict(id=img_id, file_name=name, width=HR_SIZE, height=HR_SIZE))
    coco = dict(
        images=images,
        annotations=annotations,
        categories=[
            dict(id=i + 1, name=name) for i, name in enumerate(NWPU_CLASSES)
        ])
    for split in ('train', 'val', 'test'):
        (root / f'nwpu_vhr10_{split}.json').write_text(json.dumps(coco))
    return annotations


def write_config(path: Path,
                 base: str,
                 data_root: Path,
                 lr_scale: int = 2,
                 max_epochs: int = 1,
                 model_extra: str = '',
                 extra: str = '') -> Tuple[str, str]:
    """Write a fast config inheriting ``configs/<base>``.

    Args:
        path (Path): Config file to write.
        base (str): Baseline config, relative to ``configs/``.
        data_root (Path): Folder made by :func:`make_tiny_coco`.
        lr_scale (int): HR / network input size.
        max_epochs (int): Training epochs (4 images, batch 2: 2 iterations
            per epoch on one process, 1 on each of two).
        model_extra (str): Extra ``model`` keys, e.g. ``', num_queries=100'``.
        extra (str): Extra config lines.

    Returns:
        tuple[str, str]: The config path and the base config's path.
    """
    base_path = (REPO / 'configs' / base).as_posix()
    inv = repr(1.0 / lr_scale)
    path.write_text(
        CONFIG.format(
            base=base_path,
            data_root=Path(data_root).as_posix(),
            train_pipeline=TRAIN_PIPELINE.format(inv_scale=inv),
            test_pipeline=TEST_PIPELINE.format(inv_scale=inv),
            val_evaluator=EVALUATOR.format(split='val'),
            test_evaluator=EVALUATOR.format(split='test'),
            model_extra=model_extra,
            max_epochs=max_epochs,
            extra=extra))
    return str(path), base_path

# Copyright (c) mmrsod contributors. All rights reserved.
"""The shared COCO builder, report and image-header reader."""
import json

import pytest
from PIL import Image

from mmrsod.datasets.converters import CocoBuilder, ConversionReport
from mmrsod.datasets.converters.file_utils import image_size
from mmrsod.utils import InputError


def test_builder_ids_boxes_and_checks():
    report = ConversionReport('toy')
    builder = CocoBuilder(('a', 'b'), report, 'train')
    second = builder.add_image('z dir/b.png', 20, 10)
    first = builder.add_image('z dir/a.png', 8, 6)
    builder.add_box(second, 2, (1, 2, 5, 7), 'b.txt:1')
    builder.add_box(second, 1, (15, -3, 25, 4), 'b.txt:2', iscrowd=1)
    assert builder.add_box(first, 1, (3, 3, 3, 5), 'a.txt:1') is None
    assert builder.add_box(first, 1, (9, 1, 12, 4), 'a.txt:2') is None
    with pytest.raises(InputError, match=r'a\.txt:3: inverted box corners'):
        builder.add_box(first, 1, (5, 5, 2, 6), 'a.txt:3')
    with pytest.raises(InputError, match=r'a\.txt:4: category id 3 is out'):
        builder.add_box(first, 3, (1, 1, 2, 2), 'a.txt:4')
    with pytest.raises(InputError, match='appears twice'):
        builder.add_image('z dir/a.png', 8, 6)
    with pytest.raises(InputError, match='not positive'):
        builder.add_image('c.png', 0, 6)
    coco = builder.build()
    # ids follow the sorted file names
    assert [(i['id'], i['file_name'])
            for i in coco['images']] == [(1, 'z dir/a.png'),
                                         (2, 'z dir/b.png')]
    assert coco['annotations'] == [
        dict(
            id=1,
            image_id=2,
            category_id=2,
            bbox=[1.0, 2.0, 4.0, 5.0],
            area=20.0,
            iscrowd=0),
        # clipped to the 20 x 10 image
        dict(
            id=2,
            image_id=2,
            category_id=1,
            bbox=[15.0, 0.0, 5.0, 4.0],
            area=20.0,
            iscrowd=1),
    ]
    assert coco['categories'] == [dict(id=1, name='a'), dict(id=2, name='b')]
    assert report.skipped == {'zero-area box': 1, 'box outside the image': 1}
    assert report.notes == {'box clipped to the image': 1}
    assert report.splits['train'] == dict(
        images=2, boxes=2, ignore_boxes=1, boxes_per_class=dict(a=1, b=1))
    summary = report.format_summary()
    assert 'zero-area box: e.g. a.txt:1' in summary
    assert 'box outside the image: e.g. a.txt:2' in summary


def test_skip_invalid_counts_inverted():
    report = ConversionReport('toy')
    builder = CocoBuilder(('a', ), report, 'val', skip_invalid=True)
    image = builder.add_image('a.png', 8, 6)
    assert builder.add_box(image, 1, (5, 5, 2, 6), 'a.txt:3') is None
    assert report.skipped == {'inverted box corners': 1}


def test_report_written_atomically(tmp_path):
    report = ConversionReport('toy')
    report.skip('blank', 'x:1')
    path = report.write(str(tmp_path / 'new dir'))
    with open(path) as f:
        data = json.load(f)
    assert data['skipped'] == {'blank': 1}
    assert data['examples'] == {'blank': ['x:1']}
    assert [p.name
            for p in (tmp_path / 'new dir').iterdir()] == ['toy_report.json']


def test_image_size_reads_header_past_bomb_limit(tmp_path, monkeypatch):
    path = str(tmp_path / 'x.png')
    Image.new('RGB', (30, 20)).save(path)
    monkeypatch.setattr(Image, 'MAX_IMAGE_PIXELS', 100)  # 600 px > 2 x 100
    assert image_size(path) == (30, 20)
    assert Image.MAX_IMAGE_PIXELS == 100
    (tmp_path / 'bad.jpg').write_text('not an image')
    with pytest.raises(InputError, match='cannot read the image header'):
        image_size(str(tmp_path / 'bad.jpg'))

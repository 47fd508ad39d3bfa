# Copyright (c) mmrsod contributors. All rights reserved.
"""The converters' COCO files load in the registered mmdet datasets with
the right labels, and ``iscrowd=1`` (difficult) becomes an ignore flag."""
import pytest
from mmdet.registry import DATASETS
from mmengine.registry import DefaultScope

from mmrsod.datasets.converters import (convert_dota, convert_hrrsd,
                                        convert_nwpu_vhr10,
                                        convert_sar_aircraft,
                                        convert_shiprsimagenet)
from mmrsod.testing import make_dota, make_nwpu_vhr10, make_voc


def _load(dataset_type, out_dir, name, data_root):
    # the mmdet scope, as a detection config sets it (an SOD test run
    # earlier in the session leaves the default scope at mmseg)
    with DefaultScope.overwrite_default_scope('mmdet'):
        dataset = DATASETS.build(
            dict(
                type=dataset_type,
                data_root=data_root,
                ann_file=f'{out_dir}/{name}_train.json',
                data_prefix=dict(img=''),
                filter_cfg=None,
                pipeline=[]))
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    return dataset, infos


def _instances(infos):
    return [(i['img_path'].rsplit('/', 1)[1], ins['bbox_label'], ins['bbox'],
             ins['ignore_flag']) for i in infos for ins in i['instances']]


def test_nwpu(tmp_path):
    spec = make_nwpu_vhr10(str(tmp_path), num_positive=4, num_negative=0)
    convert_nwpu_vhr10(spec['root'], str(tmp_path / 'o'), ratios=(1, 0, 0))
    dataset, infos = _load('NWPUVHR10Dataset', tmp_path / 'o', 'nwpu_vhr10',
                           spec['root'])
    assert len(dataset) == 4
    assert _instances(infos)[:2] == [('001.jpg', 0, [1.0, 2.0, 11.0, 10.0], 0),
                                     ('002.jpg', 1, [2.0, 4.0, 12.0, 12.0], 0)]
    assert infos[0]['img_path'].endswith('positive image set/001.jpg')


def test_dota_difficult_is_ignored(tmp_path):
    spec = make_dota(str(tmp_path))
    for version, dataset_type in (('1.0', 'DOTADataset'), ('1.5',
                                                           'DOTAv15Dataset')):
        out = tmp_path / version
        convert_dota(spec['root'], str(out), version=version)
        dataset, infos = _load(dataset_type, out, 'dota', spec['root'])
        assert len(
            dataset.metainfo['classes']) == (15 if version == '1.0' else 16)
        assert _instances(infos) == [
            ('P0001.png', 0, [10.0, 12.0, 40.0, 30.0], 0),
            ('P0001.png', 6, [45.5, 40.0, 60.0, 60.0], 1),
            ('P0002.png', 9, [1.0, 2.0, 9.0, 10.0], 0),
        ]


@pytest.mark.parametrize('dataset_name, dataset_type, labels', [
    ('hrrsd', 'HRRSDDataset', [11, 0, 12]),
    ('sar_aircraft', 'SARAircraftDataset', [1, 5, 6]),
    ('shiprsimagenet', 'ShipRSImageNetDataset', [5, 37, 49]),
    ('shiprsimagenet', 'ShipRSImageNetLevel2Dataset', [3, 12, 24]),
    ('shiprsimagenet', 'ShipRSImageNetLevel1Dataset', [1, 2, 3]),
    ('shiprsimagenet', 'ShipRSImageNetLevel0Dataset', [0, 0, 1]),
])
def test_voc_sets(tmp_path, dataset_name, dataset_type, labels):
    spec = make_voc(str(tmp_path), dataset_name)
    convert = dict(
        hrrsd=convert_hrrsd,
        sar_aircraft=convert_sar_aircraft,
        shiprsimagenet=convert_shiprsimagenet)[dataset_name]
    kwargs = {}
    if dataset_type.startswith('ShipRSImageNetLevel'):
        kwargs['level'] = int(dataset_type[len('ShipRSImageNetLevel')])
    convert(spec['root'], str(tmp_path / 'o'), **kwargs)
    _, infos = _load(dataset_type, tmp_path / 'o', dataset_name, spec['root'])
    got = _instances(infos)
    assert [g[1] for g in got] == labels
    assert [g[3] for g in got] == [0, 1, 0]  # the difficult object
    assert got[0][2] == [10.0, 20.0, 40.0, 50.0]

# Copyright (c) mmrsod contributors. All rights reserved.
import pytest

from mmrsod.evaluation.functional import (attribute_names, attribute_scores,
                                          load_attribute_file)


def test_load_both_formats(tmp_path):
    path = tmp_path / 'attrs.txt'
    path.write_text('# comment\n\n0001 BSO CS\n0002,SSO\n0002,OC\n'
                    '0003.jpg NSO\n')
    attrs = load_attribute_file(path)
    assert attrs == {
        '0001': ['BSO', 'CS'],
        '0002': ['OC', 'SSO'],
        '0003': ['NSO']
    }
    assert attribute_names(attrs) == ['BSO', 'CS', 'NSO', 'OC', 'SSO']


def test_malformed_lines(tmp_path):
    path = tmp_path / 'bad.txt'
    path.write_text('0001 BSO\n0002\n')
    with pytest.raises(ValueError, match=r'bad.txt:2: malformed'):
        load_attribute_file(path)
    path.write_text('0001 B$O\n')
    with pytest.raises(ValueError, match=r'bad.txt:1: invalid attribute'):
        load_attribute_file(path)
    with pytest.raises(FileNotFoundError, match='nope.txt'):
        load_attribute_file(tmp_path / 'nope.txt')


def test_scores_and_missing(tmp_path):
    attrs = {'a': ['BSO', 'CS'], 'b': ['CS'], 'c': ['SSO']}
    scores = attribute_scores(['a', 'b', 'c'], [0.9, 0.5, 0.2], attrs)
    assert scores == pytest.approx({
        'SSIM_BSO': 0.9,
        'SSIM_CS': 0.7,
        'SSIM_SSO': 0.2,
        'SSIM_avg': (0.9 + 0.7 + 0.2) / 3
    })
    assert list(scores) == ['SSIM_BSO', 'SSIM_CS', 'SSIM_SSO', 'SSIM_avg']
    with pytest.raises(ValueError, match=r'missing .*attrs.txt: d, e'):
        attribute_scores(['a', 'd', 'e'], [1, 1, 1], attrs, 'attrs.txt')

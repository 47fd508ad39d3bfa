# Copyright (c) mmrsod contributors. All rights reserved.
import argparse

import pytest

from mmrsod.utils import SpaceKeepingDictAction, parse_cfg_value


@pytest.mark.parametrize('text,value', [
    ('/data/NWPU VHR-10 dataset', '/data/NWPU VHR-10 dataset'),
    ("'/data/my sets/ORSSD'", '/data/my sets/ORSSD'),
    ('  padded  ', 'padded'),
    ('3', 3),
    ('0.5', 0.5),
    ('True', True),
    ('None', None),
    ('1,2', [1, 2]),
    ('[a b, c]', ['a b', 'c']),
    ('(1, [x y, 2])', (1, ['x y', 2])),
    ('[]', []),
])
def test_parse_cfg_value(text, value):
    assert parse_cfg_value(text) == value


def test_action_keeps_spaces_and_rejects_bare_words(capsys):
    parser = argparse.ArgumentParser(prog='tool.py')
    parser.add_argument(
        '--cfg-options', nargs='+', action=SpaceKeepingDictAction)
    args = parser.parse_args([
        '--cfg-options', 'data_root=/data/my sets/ORSSD', 'model.out_scale=2',
        'img_scale=(448, 448)'
    ])
    assert args.cfg_options == {
        'data_root': '/data/my sets/ORSSD',
        'model.out_scale': 2,
        'img_scale': (448, 448)
    }
    with pytest.raises(SystemExit):
        parser.parse_args(['--cfg-options', 'a=(1, 2'])
    assert 'unbalanced brackets' in capsys.readouterr().err

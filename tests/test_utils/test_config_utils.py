# Copyright (c) mmrsod contributors. All rights reserved.
import pytest

from mmrsod.utils import ConfigError, load_config


@pytest.fixture
def cfg_file(tmp_path):
    path = tmp_path / 'cfg.py'
    path.write_text('model = dict(type="M", backbone=dict(depth=50))\n'
                    'train_cfg = dict(max_iters=10)\n'
                    'layers = [dict(a=1), dict(a=2)]\n')
    return str(path)


def test_load_and_override(cfg_file):
    cfg = load_config(cfg_file, {
        'model.backbone.depth': 18,
        'train_cfg.max_iters': 3,
        'layers.1.a': 5
    })
    assert cfg.model.backbone.depth == 18
    assert cfg.train_cfg.max_iters == 3
    assert cfg.layers[1]['a'] == 5


@pytest.mark.parametrize('key,named', [
    ('train_cfg.max_iter', 'train_cfg.max_iter'),
    ('model.neck.channels', 'model.neck.channels'),
    ('layers.5.a', 'layers.5.a'),
    ('nonexistent', 'nonexistent'),
])
def test_unknown_option_key(cfg_file, key, named):
    with pytest.raises(ConfigError, match='does not exist') as err:
        load_config(cfg_file, {key: 1})
    assert f'"{named}"' in str(err.value)


def test_missing_config(tmp_path):
    missing = str(tmp_path / 'nope.py')
    with pytest.raises(ConfigError, match='config file not found') as err:
        load_config(missing)
    assert missing in str(err.value)


def test_broken_config(tmp_path):
    path = tmp_path / 'broken.py'
    path.write_text('model = dict(\n')
    with pytest.raises(ConfigError, match='cannot load config'):
        load_config(str(path))


def test_plus_prefix_adds_a_key(cfg_file):
    cfg = load_config(cfg_file, {'+train_cfg.val_interval': 5})
    assert cfg.train_cfg.val_interval == 5 and cfg.train_cfg.max_iters == 10
    # the parent must still exist
    with pytest.raises(ConfigError, match='train_cfgg') as err:
        load_config(cfg_file, {'+train_cfgg.val_interval': 5})
    # and the advice is not to write the same option again
    assert 'adds only the last part' in str(err.value)
    assert 'write "+' not in str(err.value)
    with pytest.raises(ConfigError, match='non-dict'):
        load_config(cfg_file, {'+train_cfg.max_iters.x': 5})

# Copyright (c) mmrsod contributors. All rights reserved.
import hashlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mmrsod.datasets import SODDataset
from mmrsod.testing import demo_data, load_script
from mmrsod.testing.demo_data import generate_demo_dataset, make_demo_sample

_TOOL = (
    Path(__file__).resolve().parents[2] / 'tools' / 'misc' /
    'generate_demo_data.py')


def _digests(root: Path) -> dict:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob('*')) if p.is_file()
    }


def _small(out, **kwargs):
    kwargs.setdefault('num_train', 3)
    kwargs.setdefault('num_test', 2)
    kwargs.setdefault('size', 64)
    return generate_demo_dataset(str(out), **kwargs)


def test_layout_and_loadable(tmp_path):
    info = _small(tmp_path / 'demo')
    root = Path(info['out_dir'])
    assert sorted(p.name for p in root.iterdir()) == [
        'demo_data.json', 'test-images', 'test-labels', 'train-images',
        'train-labels'
    ]
    assert len(list((root / 'train-images').glob('*.jpg'))) == 3
    assert len(list((root / 'test-labels').glob('*.png'))) == 2
    train = SODDataset(data_root=str(root), layout='orssd', split='train')
    test = SODDataset(
        data_root=str(root), layout='orssd', split='test', test_mode=True)
    assert len(train) == 3 and len(test) == 2
    mask = np.asarray(Image.open(root / 'train-labels' / '0000.png'))
    assert mask.shape == (64, 64) and set(np.unique(mask)) == {0, 255}


def test_deterministic_and_seed_dependent(tmp_path):
    _small(tmp_path / 'a')
    _small(tmp_path / 'b')
    _small(tmp_path / 'c', seed=1)
    _small(tmp_path / 'd', num_train=5)
    a = _digests(tmp_path / 'a')
    assert a == _digests(tmp_path / 'b')
    c = _digests(tmp_path / 'c')
    assert a['train-images/0000.jpg'] != c['train-images/0000.jpg']
    # test images do not depend on the number of training images
    d = _digests(tmp_path / 'd')
    assert a['test-images/0001.jpg'] == d['test-images/0001.jpg']
    assert a['train-labels/0002.png'] == d['train-labels/0002.png']


def test_samples_are_learnable():
    """Salient objects differ from the background and are never empty."""
    fg, bg = [], []
    for i in range(12):
        img, mask = make_demo_sample(np.random.default_rng([0, 9, i]), 96)
        assert img.shape == (96, 96, 3) and img.dtype == np.uint8
        m = mask > 0
        assert 0 < m.mean() < 0.5
        fg.append(img[m].astype(float).mean(0))
        bg.append(img[~m].astype(float).mean(0))
    # objects are much brighter/more saturated than the terrain on average
    assert np.mean([np.abs(f - b).max() for f, b in zip(fg, bg)]) > 40


def test_existing_output_and_overwrite(tmp_path):
    out = tmp_path / 'demo'
    _small(out)
    with pytest.raises(FileExistsError, match=str(out)):
        _small(out)
    (out / 'stale.txt').write_text('x')
    _small(out, overwrite=True, seed=3)
    assert not (out / 'stale.txt').exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ['demo']


def test_interrupted_run_leaves_nothing(tmp_path, monkeypatch):
    calls = []
    original = demo_data._write_split

    def failing(root, split, *args):
        calls.append(split)
        if split == 'test':
            raise KeyboardInterrupt
        return original(root, split, *args)

    monkeypatch.setattr(demo_data, '_write_split', failing)
    with pytest.raises(KeyboardInterrupt):
        _small(tmp_path / 'demo')
    assert calls == ['train', 'test']
    assert list(tmp_path.iterdir()) == []


def test_invalid_arguments(tmp_path):
    with pytest.raises(ValueError, match='size'):
        _small(tmp_path / 'x', size=16)
    with pytest.raises(ValueError, match='num_train'):
        _small(tmp_path / 'x', num_train=0)


def test_cli(tmp_path, capsys):
    tool = load_script(_TOOL, 'generate_demo_data')
    out = tmp_path / 'cli'
    args = [
        str(out), '--num-train', '2', '--num-test', '1', '--size', '64',
        '--seed', '5'
    ]
    assert tool.main(args) == 0
    assert 'wrote 2 train + 1 test' in capsys.readouterr().out
    assert tool.main(args) == 2
    assert 'already exists' in capsys.readouterr().err
    assert tool.main(args + ['--overwrite']) == 0
    ref = tmp_path / 'ref'
    _small(ref, num_train=2, num_test=1, seed=5)
    assert _digests(out) == _digests(ref)

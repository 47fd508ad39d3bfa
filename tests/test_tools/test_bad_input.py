# Copyright (c) mmrsod contributors. All rights reserved.
"""Bad input stops the tools with one clear line naming the path or key,
before any training starts."""
import shutil

import pytest
import torch


def _one_line_error(out, *needles):
    assert out.returncode == 2, (out.returncode, out.stderr[-3000:])
    lines = [line for line in out.stderr.strip().splitlines() if line]
    assert 'Traceback' not in out.stderr, out.stderr[-3000:]
    assert lines[-1].startswith('train.py: error:') or lines[-1].startswith(
        'test.py: error:'), lines[-1]
    for needle in needles:
        assert needle in lines[-1], lines[-1]
    return lines[-1]


def test_missing_config(tmp_path, tool):
    missing = tmp_path / 'nope.py'
    _one_line_error(tool('train.py', missing), str(missing))


def test_unknown_cfg_option(write_tiny_config, tool):
    cfg = write_tiny_config()
    out = tool('train.py', cfg, '--cfg-options', 'train_cfg.max_iter=3')
    _one_line_error(out, 'train_cfg.max_iter')


def test_missing_dataset_root(tmp_path, write_tiny_config, tool):
    cfg = write_tiny_config()
    missing = tmp_path / 'no_such_root'
    out = tool('train.py', cfg, '--work-dir', tmp_path / 'w', '--cfg-options',
               f'train_dataloader.dataset.data_root={missing}')
    _one_line_error(out, str(missing))
    assert not list((tmp_path / 'w').glob('*.pth'))


def test_empty_dataset_root(tmp_path, write_tiny_config, tool):
    cfg = write_tiny_config()
    empty = tmp_path / 'empty'
    (empty / 'train-images').mkdir(parents=True)
    (empty / 'train-labels').mkdir(parents=True)
    out = tool('train.py', cfg, '--work-dir', tmp_path / 'w', '--cfg-options',
               f'train_dataloader.dataset.data_root={empty}')
    _one_line_error(out, 'train-images')


def test_image_without_mask(tmp_path, tiny_dataset, write_tiny_config, tool):
    broken = tmp_path / 'broken'
    shutil.copytree(tiny_dataset, broken)
    (broken / 'train-labels' / '0003.png').unlink()
    cfg = write_tiny_config()
    out = tool('train.py', cfg, '--work-dir', tmp_path / 'w', '--cfg-options',
               f'train_dataloader.dataset.data_root={broken}')
    _one_line_error(out, '0003')


def test_missing_checkpoint(tmp_path, write_tiny_config, tool):
    cfg = write_tiny_config()
    out = tool('test.py', cfg, tmp_path / 'missing.pth')
    _one_line_error(out, 'missing.pth')


def test_cfg_options_keep_spaces(tmp_path, tiny_dataset, write_tiny_config,
                                 tool):
    """``data_root`` with a space reaches the dataset as written: the run
    gets as far as pairing the files of that folder."""
    spaced = tmp_path / 'my sets' / 'demo sod'
    shutil.copytree(tiny_dataset, spaced)
    (spaced / 'train-labels' / '0003.png').unlink()
    cfg = write_tiny_config()
    out = tool('train.py', cfg, '--work-dir', tmp_path / 'w', '--cfg-options',
               f'train_dataloader.dataset.data_root={spaced}')
    line = _one_line_error(out, '1 image(s) in', '0003')
    assert str(spaced / 'train-images') in line
    # an unquoted value with a space arrives as two words: say to quote it
    out = tool('train.py', cfg, '--cfg-options', 'data_root=/data/my', 'sets')
    assert out.returncode == 2
    assert "'sets' is not KEY=VALUE (quote a value with spaces" in out.stderr


@pytest.mark.skipif(torch.cuda.is_available(), reason='CPU behaviour')
def test_amp_is_refused_on_cpu(write_tiny_config, tool):
    out = tool('train.py', write_tiny_config(), '--amp')
    _one_line_error(out, '--amp needs a CUDA GPU')

# Copyright (c) mmrsod contributors. All rights reserved.
"""The thin CLIs: exit status, one-line errors, options, paths with
spaces."""
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from mmrsod.testing import make_dota, make_nwpu_vhr10, make_voc

REPO = Path(__file__).resolve().parents[3]


def _run(args):
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join([str(REPO), env.get('PYTHONPATH', '')])
    env.setdefault('OMP_NUM_THREADS', '1')
    return subprocess.run(
        [sys.executable] + [str(a) for a in args],
        cwd=str(REPO),
        env=env,
        capture_output=True,
        text=True,
        timeout=300)


def test_nwpu_subprocess_exit_code(tmp_path):
    """One real process: bad input -> one stderr line, exit status 2 (the
    success path and the other tools run in-process below)."""
    tool = REPO / 'tools' / 'dataset_converters' / 'nwpu_vhr10.py'
    bad = make_nwpu_vhr10(
        str(tmp_path / 'c d'),
        variant='class_out_of_range',
        num_positive=2,
        num_negative=0)
    proc = _run([tool, bad['root'], tmp_path / 'out2'])
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        'nwpu_vhr10.py: error: ground truth/001.txt:2: class id 11 is out '
        'of range 1..10; fix the file or pass --skip-invalid to skip such '
        'lines')
    assert not (tmp_path / 'out2').exists()


@pytest.mark.parametrize(
    'name', ['nwpu_vhr10', 'dota', 'hrrsd', 'shiprsimagenet', 'sar_aircraft'])
def test_help(load_tool, capsys, name):
    with pytest.raises(SystemExit) as exc:
        load_tool(name).main(['--help'])
    assert exc.value.code == 0
    assert 'src_root' in capsys.readouterr().out


def test_nwpu_cli(tmp_path, load_tool, capsys):
    spec = make_nwpu_vhr10(
        str(tmp_path / 'a b'), num_positive=3, num_negative=1)
    out = tmp_path / 'out dir'
    assert load_tool('nwpu_vhr10').main([spec['root'], str(out)]) == 0
    assert 'nwpu_vhr10: converted splits' in capsys.readouterr().out
    assert (out / 'nwpu_vhr10_train.json').is_file()


def test_dota_cli(tmp_path, load_tool, capsys):
    spec = make_dota(str(tmp_path / 'x y'))
    tool = load_tool('dota')
    assert tool.main([
        spec['root'],
        str(tmp_path / 'o'), '--version', '1.5', '--splits', 'train', 'val',
        '--difficult-as-normal'
    ]) == 0
    assert 'ignore_boxes' in capsys.readouterr().out
    assert sorted(p.name for p in (tmp_path / 'o').iterdir()) == [
        'dota_report.json', 'dota_train.json', 'dota_val.json'
    ]
    spec = make_dota(str(tmp_path / 'bad'), variant='unknown_class')
    with pytest.raises(SystemExit) as exc:
        tool.main([spec['root'], str(tmp_path / 'o2')])
    assert exc.value.code == 2
    assert capsys.readouterr().err.startswith(
        "dota.py: error: train/labelTxt/P0001.txt:5: unknown class 'car'")


@pytest.mark.parametrize('name, extra', [('hrrsd', []), ('sar_aircraft', []),
                                         ('shiprsimagenet', ['--level', '1'])])
def test_voc_clis(tmp_path, load_tool, capsys, name, extra):
    tool = load_tool(name)
    spec = make_voc(str(tmp_path / 'p q'), name)
    assert tool.main([spec['root'], str(tmp_path / 'o')] + extra) == 0
    out = capsys.readouterr().out
    assert f'{name}: converted splits' in out
    assert (tmp_path / 'o' / f'{name}_train.json').is_file()
    spec = make_voc(str(tmp_path / 'bad'), name, variant='inverted_corners')
    with pytest.raises(SystemExit) as exc:
        tool.main([spec['root'], str(tmp_path / 'o2')] + extra)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f'{name}.py: error: ') and 'img01.xml:' in err
    assert err.count('\n') == 1
    assert tool.main(
        [spec['root'], str(tmp_path / 'o3'), '--skip-invalid'] + extra) == 0
    assert 'inverted box corners' in capsys.readouterr().out


def test_readme_commands_parse(load_tool):
    """Every converter command in tools/dataset_converters/README.md names
    an existing tool and parses with its options."""
    text = (REPO / 'tools' / 'dataset_converters' / 'README.md').read_text()
    commands = [
        m.replace('\\\n', ' ') for m in re.findall(
            r'python (tools/dataset_converters/[^\n\\]*'
            r'(?:\\\n[^\n\\]*)*)', text) if '<name>' not in m
    ]
    assert len(commands) == 6
    for command in commands:
        argv = shlex.split(command)
        assert (REPO / argv[0]).is_file(), argv[0]
        name = Path(argv[0]).stem
        args = load_tool(name).parse_args(argv[1:])
        assert args.src_root and args.out_dir

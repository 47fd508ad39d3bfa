# Copyright (c) mmrsod contributors. All rights reserved.
import pytest

from mmrsod.testing import load_script


def test_load_script_runs_the_file(tmp_path):
    path = tmp_path / 'my_tool.py'
    path.write_text(
        'ANSWER = 6 * 7\n\ndef main(argv):\n    return len(argv)\n')
    module = load_script(path)
    assert module.__name__ == 'my_tool'
    assert module.ANSWER == 42
    assert module.main(['a', 'b']) == 2
    assert load_script(str(path), 'other').__name__ == 'other'


def test_load_script_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='no script at .*nope.py'):
        load_script(tmp_path / 'nope.py')

# Copyright (c) mmrsod contributors. All rights reserved.
"""The READMEs' commands and examples match the repository."""
import re
from pathlib import Path

import pytest
from mmengine.config import Config

REPO = Path(__file__).resolve().parents[2]
READMES = [
    REPO / 'README.md', REPO / 'configs' / 'sral' / 'README.md',
    REPO / 'tools' / 'dataset_converters' / 'README.md',
    REPO / 'tools' / 'dataset_converters' / 'TILING.md',
    REPO / 'docs' / 'en' / 'detection_data_pipeline.md'
] + [
    REPO / 'configs' / family / 'README.md'
    for family in ('faster_rcnn', 'retinanet', 'cascade_rcnn', 'dino',
                   'sdconet')
]


@pytest.mark.parametrize(
    'readme', READMES, ids=lambda p: str(p.relative_to(REPO)))
def test_named_files_exist(readme):
    """Every configs/... or tools/... file a README names exists."""
    text = readme.read_text()
    named = set(
        re.findall(r'(?<![\w/])((?:configs|tools)/[\w./-]+\.(?:py|sh))', text))
    assert named
    missing = sorted(p for p in named if not (REPO / p).is_file())
    assert not missing


def test_sreval_block_is_the_config():
    text = READMES[1].read_text()
    match = re.search(
        r'`sral-sreval_r50_1xb8-100e_eorssd.py` is (\w+) lines:\s*```python\n'
        r'(.*?)```', text, re.S)
    assert match
    block = match.group(2).strip().splitlines()
    cfg = (REPO / 'configs' / 'sral' /
           'sral-sreval_r50_1xb8-100e_eorssd.py').read_text().splitlines()
    code = [line for line in cfg if line and not line.startswith('#')]
    assert block == code
    words = {3: 'three', 4: 'four', 5: 'five', 6: 'six'}
    assert match.group(1) == words[len(code)]


def test_demo_description_matches_its_config():
    cfg = Config.fromfile(
        str(REPO / 'configs' / 'sral' / 'sral_r18_1xb4-300iter_demo.py'))
    size = cfg.model.data_preprocessor.size[0]
    assert (size, cfg.hr_size) == (128, 256)
    text = READMES[0].read_text()
    assert f'{size} px input -> {cfg.hr_size} px map' in text
    assert f'{cfg.train_cfg.max_iters} iterations' in text


def test_inherit_example_builds_from_anywhere(tmp_path, monkeypatch):
    """The README's "inherit our config" example, written to a file outside
    the clone and loaded from another directory, points every dataloader at
    its data root, and the datasets build from it."""
    from mmseg.registry import DATASETS
    from mmseg.utils import register_all_modules

    import mmrsod.datasets  # noqa: F401
    from mmrsod.testing import generate_demo_dataset
    text = READMES[0].read_text()
    match = re.search(r'<!-- inherit-example[^>]*-->\n```python\n(.*?)```',
                      text, re.S)
    assert match
    example = match.group(1)
    assert "'/path/to/mmrsod/" in example and "'/data/EORSSD'" in example
    data_root = tmp_path / 'my data' / 'EORSSD'
    generate_demo_dataset(
        str(data_root), num_train=3, num_test=2, size=64, seed=0)
    user_cfg = tmp_path / 'elsewhere' / 'my_sral.py'
    user_cfg.parent.mkdir()
    user_cfg.write_text(
        example.replace('/path/to/mmrsod/',
                        REPO.as_posix() + '/').replace('/data/EORSSD',
                                                       data_root.as_posix()))
    run_dir = tmp_path / 'cwd'
    run_dir.mkdir()
    monkeypatch.chdir(run_dir)
    cfg = Config.fromfile(str(user_cfg))
    assert cfg.train_dataloader.batch_size == 4
    assert cfg.model.decode_head.channels == 32
    register_all_modules()
    for loader, n in (('train_dataloader', 3), ('val_dataloader', 2),
                      ('test_dataloader', 2)):
        dataset_cfg = cfg[loader].dataset
        assert dataset_cfg.data_root == data_root.as_posix(), loader
        dataset = DATASETS.build(dataset_cfg)
        assert len(dataset) == n, loader

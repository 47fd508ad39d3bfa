# Copyright (c) mmrsod contributors. All rights reserved.
"""Integration: IFKD distils a RetinaNet R18 student from an R50 teacher
on real NWPU VHR-10 tiles (2x LR, 256 px) through tools/train.py.

A few real positives are converted and tiled at 512/100 (the config's
data recipe). The full IFKD config (EDE with a tiny random MobileSAM, FDR,
HSM) trains two one-iteration epochs from a teacher checkpoint written
here: every loss term is logged and finite, epoch 1 fills the MobileSAM
cache (one entry per tile, under the key the pre-compute tool uses) and
epoch 2 only reads it; the exported student loads strictly into the
plain R18 config and predicts what the wrapper predicts.
"""
import copy
import os
import re
import sys
from pathlib import Path

import pytest
import torch

from mmrsod.testing import load_script, tiny_tiny_vit_cfg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nwpu_data as nwpu  # noqa: E402 # isort: skip

IFKD = 'configs/ifkd/retinanet_r18_fpn_ifkd_r50_1xb2-12e_nwpu-lr2x.py'
PLAIN = 'configs/retinanet/retinanet_r18_fpn_1xb2-12e_nwpu-lr2x.py'
TEACHER = 'configs/retinanet/retinanet_r50_fpn_1xb2-12e_nwpu-lr2x.py'
TINY_SAM = tiny_tiny_vit_cfg(neck_channels=256)

CONFIG = '''
_base_ = ['{repo}/{ifkd}']
data_root = '{root}/'
model = dict(
    student=dict(backbone=dict(init_cfg=None)),
    teacher_ckpt='{teacher}',
    distill_losses=dict(ifkd=dict(ede=dict(
        _delete_=True, allow_random=True, encoder={sam}, img_size=64,
        cache_dir='{cache}'))))
train_cfg = dict(max_epochs=2, val_interval=100)
val_dataloader = None
val_cfg = None
val_evaluator = None
param_scheduler = []
train_dataloader = dict(
    num_workers=0, persistent_workers=False,
    sampler=dict(shuffle=False),
    dataset=dict(data_root=data_root, indices=2))
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=2))
randomness = dict(seed=0)
'''


def _load_tool(path: Path, name: str):
    return load_script(path, name)


@pytest.mark.skipif(not nwpu.has_nwpu(), reason=nwpu.NWPU_MISSING)
def test_ifkd_distils_on_real_tiles(tmp_path, capsys):
    from mmdet.registry import DATASETS, MODELS
    from mmengine.config import Config
    from mmengine.registry import DefaultScope, init_default_scope

    import mmrsod.datasets  # noqa: F401
    import mmrsod.models  # noqa: F401
    from mmrsod.models.utils import FeatureCache
    from mmrsod.utils import trusted_torch_load

    tools = nwpu.REPO / 'tools'
    sub = nwpu.link_subset(tmp_path / 'NWPU subset', 4)
    nwpu.run([
        tools / 'dataset_converters' / 'nwpu_vhr10.py', sub, tmp_path / 'coco'
    ])
    split_dir = tmp_path / 'nwpu_vhr10_split'
    nwpu.run([
        tools / 'dataset_converters' / 'split_tiles.py',
        tmp_path / 'coco' / 'nwpu_vhr10_train.json', sub, split_dir, '--tile',
        512, '--overlap', 100
    ])

    # a random R50 teacher, saved as a trained one would be
    init_default_scope('mmdet')
    teacher_cfg = Config.fromfile(str(nwpu.REPO / TEACHER)).model
    teacher_cfg.backbone.init_cfg = None
    torch.manual_seed(0)
    teacher = MODELS.build(teacher_cfg)
    teacher.init_weights()
    teacher_ckpt = tmp_path / 'teacher.pth'
    torch.save(dict(state_dict=teacher.state_dict()), teacher_ckpt)

    cache = tmp_path / 'sam_cache'
    cfg = tmp_path / 'ifkd_nwpu_smoke.py'
    cfg.write_text(
        CONFIG.format(
            repo=nwpu.REPO.as_posix(),
            ifkd=IFKD,
            root=split_dir.as_posix(),
            teacher=teacher_ckpt.as_posix(),
            sam=TINY_SAM,
            cache=cache.as_posix()))
    work = tmp_path / 'work'
    nwpu.run([tools / 'train.py', cfg, '--work-dir', work])

    text = next((work / sorted(p.name for p in work.iterdir()
                               if p.is_dir())[-1]).glob('*.log')).read_text()
    lines = re.findall(r'Epoch\(train\) +\[(\d)\]\[1/1\](.*)', text)
    assert [epoch for epoch, _ in lines] == ['1', '2']
    for _, line in lines:
        for term in ('loss_cls', 'loss_bbox', 'loss_ifkd_feat',
                     'loss_ifkd_head'):
            value = float(re.search(term + r': (\S+)', line).group(1))
            assert value == value and abs(value) < 1e6, (term, line[:300])

    # the cache: one entry per tile of the two-tile epoch, written in
    # epoch 1 and only read in epoch 2 (mtimes unchanged), under the key
    # precompute_sam_features.py derives from the same pipeline
    entries = sorted(cache.rglob('*.pt'))
    assert len(entries) == 2
    assert all(
        os.path.getmtime(p) < os.path.getmtime(work / 'epoch_2.pth')
        for p in entries)
    folder = entries[0].parent.parent
    precompute = _load_tool(tools / 'misc' / 'precompute_sam_features.py',
                            'precompute_sam_features')
    full = Config.fromfile(str(cfg))
    dataset = DATASETS.build(full.train_dataloader.dataset)
    store = FeatureCache(str(folder.parent), folder.name)
    for index in range(2):
        key, image = precompute.sample_key_and_image(dataset[index])
        assert Path(store.path(key)).is_file(), key
        assert image.shape[-2:] == (256, 256)

    # export: strict load into the plain student, same predictions
    export = _load_tool(tools / 'model_converters' / 'export_student.py',
                        'export_student')
    out = tmp_path / 'student.pth'
    assert export.main([
        str(cfg),
        str(work / 'epoch_2.pth'),
        str(out), '--student-config',
        str(nwpu.REPO / PLAIN)
    ]) == 0
    assert 'dropped adapters, distill_losses' in capsys.readouterr().out
    # two iterations from random weights score below the default 0.05
    full.model.student.test_cfg.score_thr = 0.0
    with DefaultScope.overwrite_default_scope('mmdet'):
        wrapper = MODELS.build(full.model)
        wrapper.load_state_dict(
            trusted_torch_load(work / 'epoch_2.pth')['state_dict'])
        plain_cfg = Config.fromfile(str(nwpu.REPO / PLAIN)).model
        plain_cfg.backbone.init_cfg = None
        plain_cfg.test_cfg.score_thr = 0.0
        plain = MODELS.build(plain_cfg)
        plain.load_state_dict(
            trusted_torch_load(out)['state_dict'], strict=True)
    sample = dataset[0]
    data = wrapper.data_preprocessor(
        dict(inputs=[sample['inputs']], data_samples=[sample['data_samples']]),
        False)
    with torch.no_grad():  # predict() fills the samples: one copy each
        ours = wrapper.eval().predict(data['inputs'],
                                      copy.deepcopy(data['data_samples']))
        ref = plain.eval().predict(data['inputs'],
                                   copy.deepcopy(data['data_samples']))
    assert len(ref[0].pred_instances) > 0
    torch.testing.assert_close(ours[0].pred_instances.scores,
                               ref[0].pred_instances.scores)
    torch.testing.assert_close(ours[0].pred_instances.bboxes,
                               ref[0].pred_instances.bboxes)

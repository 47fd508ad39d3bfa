# Copyright (c) mmrsod contributors. All rights reserved.
"""FeatureCache: hit, miss, invalidation, agreement, bad files."""
import os
import os.path as osp

import pytest
import torch

from mmrsod.models.utils import FeatureCache, make_cache_key


def test_miss_then_hit_fp16(tmp_path):
    cache = FeatureCache(str(tmp_path), 'abc123')
    key = ('img/a.jpg', None, (512, 512))
    assert cache.get(key) is None
    feats = torch.randn(4, 8, 8)
    path = cache.put(key, feats)
    assert path.startswith(osp.join(str(tmp_path), 'abc123') + os.sep)
    cached = cache.get(key)
    assert cached.dtype == torch.float16 and cached.shape == (4, 8, 8)
    torch.testing.assert_close(cached, feats.half())
    assert (cache.hits, cache.misses) == (1, 1)
    # No temporary file is left behind by the atomic write.
    assert os.listdir(osp.dirname(path)) == [osp.basename(path)]


def test_key_parts_are_distinct(tmp_path):
    cache = FeatureCache(str(tmp_path), 'fp')
    base = (str(tmp_path / 'a.jpg'), None, (64, 64))
    cache.put(base, torch.zeros(2))
    assert cache.get((base[0], 'horizontal', (64, 64))) is None
    assert cache.get((base[0], None, (64, 32))) is None
    assert cache.get((str(tmp_path / 'b.jpg'), None, (64, 64))) is None
    # Same image reached through a relative path and a list size: a hit.
    rel = osp.relpath(base[0])
    assert cache.get((rel, None, [64, 64])) is not None
    assert make_cache_key(rel, '', (64.0, 64)) == base


def test_new_fingerprint_misses(tmp_path):
    key = ('a.jpg', 'horizontal', (32, 32))
    FeatureCache(str(tmp_path), 'old').put(key, torch.ones(3))
    assert FeatureCache(str(tmp_path), 'new').get(key) is None
    assert FeatureCache(str(tmp_path), 'old').get(key) is not None


def test_verify_agreement(tmp_path):
    cache = FeatureCache(str(tmp_path), 'fp')
    key = ('a.jpg', None, (16, 16))
    fresh = torch.tensor([0.1, 1.2345, -3.3333, 7.77])
    cache.put(key, fresh)
    assert cache.verify(key, fresh)
    assert not cache.verify(key, fresh + torch.tensor([0., 0., 0., 0.1]))
    assert not cache.verify(key, fresh[:3])
    with pytest.raises(KeyError, match='no entry'):
        cache.verify(('other.jpg', None, (16, 16)), fresh)


def test_unreadable_or_foreign_entry_is_a_miss(tmp_path):
    cache = FeatureCache(str(tmp_path), 'fp')
    key = ('a.jpg', None, (16, 16))
    path = cache.put(key, torch.ones(2))
    with open(path, 'wb') as f:
        f.write(b'not a tensor file')
    assert cache.get(key) is None
    cache.put(key, torch.ones(2))
    assert cache.get(key) is not None
    # A file holding another key (e.g. copied by hand) is not trusted.
    other = ('b.jpg', None, (16, 16))
    os.makedirs(osp.dirname(cache.path(other)), exist_ok=True)
    os.replace(path, cache.path(other))
    assert cache.get(other) is None

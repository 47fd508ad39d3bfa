# Copyright (c) mmrsod contributors. All rights reserved.
import numpy as np
import pytest
import torch
from PIL import Image

from mmrsod.models import rgb_to_ycbcr, ycbcr_to_rgb


def test_matches_pil_and_roundtrips():
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
    pil = np.asarray(Image.fromarray(rgb).convert('YCbCr')).astype(np.float32)
    tensor = torch.from_numpy(rgb).permute(2, 0, 1).float() / 255
    ycbcr = rgb_to_ycbcr(tensor)
    assert ycbcr.shape == (3, 16, 16)
    diff = (ycbcr * 255 - torch.from_numpy(pil).permute(2, 0, 1)).abs()
    assert diff.max() <= 1.0 + 1e-3  # PIL rounds to 8 bits
    assert torch.allclose(ycbcr_to_rgb(ycbcr), tensor, atol=1e-5)
    batch = rgb_to_ycbcr(tensor[None].repeat(2, 1, 1, 1))
    assert torch.allclose(batch[1], ycbcr, atol=1e-6)
    with pytest.raises(ValueError, match='rgb_to_ycbcr'):
        rgb_to_ycbcr(torch.zeros(2, 8, 8))

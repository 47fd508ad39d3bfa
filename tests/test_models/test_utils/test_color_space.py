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


def test_same_convention_as_the_sr_target():
    """The model's conversion equals the data pipeline's SR target."""
    from mmrsod.datasets.transforms import bgr_to_ycbcr
    rng = np.random.default_rng(1)
    rgb = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
    target = torch.from_numpy(bgr_to_ycbcr(rgb[..., ::-1].copy()))
    ycbcr = rgb_to_ycbcr(torch.from_numpy(rgb).permute(2, 0, 1).double() / 255)
    torch.testing.assert_close(
        ycbcr.permute(1, 2, 0).float(), target, atol=1e-6, rtol=0)

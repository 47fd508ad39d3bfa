# Copyright (c) mmrsod contributors. All rights reserved.
"""Check mmcv's compiled ops against plain-PyTorch references.

* ``nms``: kept indices equal torchvision-free greedy NMS written here;
* ``RoIAlign`` (aligned, sampling_ratio 2): forward and input gradient equal a
  bilinear-sampling reference;
* ``MultiScaleDeformableAttention`` (CUDA only): forward and gradients of
  ``MultiScaleDeformableAttnFunction`` equal mmcv's
  ``multi_scale_deformable_attn_pytorch``.

Exits non-zero on a mismatch. ``--device cuda`` checks the CUDA kernels (the
GPU machine); on CPU the CPU kernels of nms and RoIAlign are checked and the
deformable attention is skipped (mmcv has no CPU kernel for it).
"""
import argparse
import sys
from typing import List

import torch


def reference_nms(boxes: torch.Tensor, scores: torch.Tensor,
                  iou_thr: float) -> torch.Tensor:
    """Greedy NMS; boxes (N, 4) x1y1x2y2 with mmcv's +0 offset convention."""
    order = scores.argsort(descending=True)
    keep: List[int] = []
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    suppressed = torch.zeros(len(boxes), dtype=torch.bool)
    for idx in order.tolist():
        if suppressed[idx]:
            continue
        keep.append(idx)
        x1 = torch.maximum(boxes[idx, 0], boxes[:, 0])
        y1 = torch.maximum(boxes[idx, 1], boxes[:, 1])
        x2 = torch.minimum(boxes[idx, 2], boxes[:, 2])
        y2 = torch.minimum(boxes[idx, 3], boxes[:, 3])
        inter = (x2 - x1).clamp(min=0) * (y2 - y1).clamp(min=0)
        iou = inter / (areas[idx] + areas - inter)
        suppressed |= iou > iou_thr
    return torch.tensor(keep, dtype=torch.long)


def reference_roi_align(feat: torch.Tensor, rois: torch.Tensor, out: int,
                        scale: float, ratio: int) -> torch.Tensor:
    """RoIAlign (aligned=True) by explicit bilinear sampling."""
    n_rois = rois.shape[0]
    channels, height, width = feat.shape[1:]
    result = feat.new_zeros(n_rois, channels, out, out)
    for r in range(n_rois):
        b = int(rois[r, 0])
        x1, y1, x2, y2 = (rois[r, 1:] * scale - 0.5).tolist()
        bin_w, bin_h = (x2 - x1) / out, (y2 - y1) / out
        for ph in range(out):
            for pw in range(out):
                acc = feat.new_zeros(channels)
                for iy in range(ratio):
                    for ix in range(ratio):
                        y = y1 + ph * bin_h + (iy + 0.5) * bin_h / ratio
                        x = x1 + pw * bin_w + (ix + 0.5) * bin_w / ratio
                        if y < -1 or y > height or x < -1 or x > width:
                            continue
                        y, x = max(y, 0.0), max(x, 0.0)
                        y0, x0 = int(y), int(x)
                        if y0 >= height - 1:
                            y0 = y1_ = height - 1
                            y = float(y0)
                        else:
                            y1_ = y0 + 1
                        if x0 >= width - 1:
                            x0 = x1_ = width - 1
                            x = float(x0)
                        else:
                            x1_ = x0 + 1
                        ly, lx = y - y0, x - x0
                        acc = acc + ((1 - ly) * (1 - lx) * feat[b, :, y0, x0] +
                                     (1 - ly) * lx * feat[b, :, y0, x1_] + ly *
                                     (1 - lx) * feat[b, :, y1_, x0] +
                                     ly * lx * feat[b, :, y1_, x1_])
                result[r, :, ph, pw] = acc / (ratio * ratio)
    return result


def check_nms(device: str) -> None:
    from mmcv.ops import nms
    gen = torch.Generator().manual_seed(0)
    xy = torch.rand(200, 2, generator=gen) * 100
    wh = torch.rand(200, 2, generator=gen) * 30 + 1
    boxes = torch.cat([xy, xy + wh], dim=1)
    scores = torch.rand(200, generator=gen)
    _, keep = nms(boxes.to(device), scores.to(device), iou_threshold=0.5)
    ref = reference_nms(boxes, scores, 0.5)
    assert torch.equal(keep.cpu(), ref), 'nms: kept indices differ'
    print(f'nms [{device}]: OK ({len(ref)} of 200 boxes kept)')


def check_roi_align(device: str) -> None:
    from mmcv.ops import RoIAlign
    gen = torch.Generator().manual_seed(1)
    feat = torch.rand(2, 4, 16, 16, generator=gen, dtype=torch.float64)
    rois = torch.tensor([[0, 1.0, 2.0, 20.0, 25.0], [1, 5.0, 0.0, 30.0, 12.0],
                         [0, 0.0, 0.0, 31.0, 31.0]],
                        dtype=torch.float64)
    op = RoIAlign((3, 3), spatial_scale=0.5, sampling_ratio=2, aligned=True)
    feat_dev = feat.to(device).float().requires_grad_(True)
    out = op(feat_dev, rois.to(device).float())
    ref_feat = feat.clone().requires_grad_(True)
    ref = reference_roi_align(ref_feat, rois, 3, 0.5, 2)
    torch.testing.assert_close(out.double().cpu(), ref, atol=1e-5, rtol=1e-4)
    weight = torch.rand(ref.shape, generator=gen, dtype=torch.float64)
    (out * weight.to(device).float()).sum().backward()
    (ref * weight).sum().backward()
    torch.testing.assert_close(
        feat_dev.grad.double().cpu(), ref_feat.grad, atol=1e-5, rtol=1e-4)
    print(f'RoIAlign [{device}]: forward and backward OK')


def check_msda(device: str) -> None:
    from mmcv.ops.multi_scale_deform_attn import (
        MultiScaleDeformableAttnFunction, multi_scale_deformable_attn_pytorch)
    gen = torch.Generator().manual_seed(2)
    bs, heads, dims, queries, levels, points = 2, 4, 8, 30, 3, 4
    shapes = torch.tensor([[12, 16], [6, 8], [3, 4]], dtype=torch.long)
    starts = torch.cat((shapes.new_zeros(1), shapes.prod(1).cumsum(0)[:-1]))
    num_keys = int(shapes.prod(1).sum())
    value = torch.rand(bs, num_keys, heads, dims, generator=gen) * 0.1
    locs = torch.rand(bs, queries, heads, levels, points, 2, generator=gen)
    weights = torch.rand(
        bs, queries, heads, levels, points, generator=gen) + 1e-5
    weights = weights / weights.sum((-1, -2), keepdim=True)

    def run(fn_cuda: bool):
        v = value.clone().to(device).double().requires_grad_(True)
        loc = locs.clone().to(device).double().requires_grad_(True)
        w = weights.clone().to(device).double().requires_grad_(True)
        if fn_cuda:
            out = MultiScaleDeformableAttnFunction.apply(
                v, shapes.to(device), starts.to(device), loc, w, 64)
        else:
            out = multi_scale_deformable_attn_pytorch(v, shapes.to(device),
                                                      loc, w)
        out.sum().backward()
        return out.detach().cpu(), v.grad.cpu(), loc.grad.cpu(), w.grad.cpu()

    got, ref = run(True), run(False)
    for name, a, b in zip(('output', 'grad value', 'grad loc', 'grad weight'),
                          got, ref):
        torch.testing.assert_close(a, b, atol=1e-6, rtol=1e-4, msg=name)
    print(f'MultiScaleDeformableAttention [{device}]: forward and backward '
          'OK (float64 vs PyTorch reference)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--device',
        default='cuda' if torch.cuda.is_available() else 'cpu',
        help='cuda or cpu')
    args = parser.parse_args()
    import mmcv
    print(f'torch {torch.__version__}, mmcv {mmcv.__version__}, '
          f'device {args.device}')
    check_nms(args.device)
    check_roi_align(args.device)
    if args.device.startswith('cuda'):
        check_msda(args.device)
    else:
        print('MultiScaleDeformableAttention: skipped (CUDA kernel only)')
    return 0


if __name__ == '__main__':
    sys.exit(main())

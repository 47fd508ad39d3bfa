# Copyright (c) mmrsod contributors. All rights reserved.
"""Deterministic generator of a small synthetic remote-sensing SOD dataset.

The images imitate optical remote-sensing tiles: a textured terrain of
fields with low-frequency shading, roads and rivers, trees and bare patches
as non-salient distractors, and one to four salient objects per image
(buildings with cast shadows, ships on water, aircraft, storage tanks) of
varied size and colour. Masks mark the salient objects only (0/255 PNG).

The output uses the ORSSD/EORSSD layout::

    <out_dir>/train-images/0000.jpg  <out_dir>/train-labels/0000.png
    <out_dir>/test-images/0000.jpg   <out_dir>/test-labels/0000.png
    <out_dir>/demo_data.json         (generation parameters)

so it loads with ``SODDataset(layout='orssd', split=...)``. Every image is
drawn from its own random stream seeded by ``(seed, split, index)``: the
same arguments always give byte-identical files, and changing ``num_train``
does not change the test images. Nothing is copied from real data.
"""
import json
import os
import os.path as osp
from typing import Dict, List, Sequence, Tuple

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from mmrsod.utils.atomic_io import atomic_output_dir

__all__ = ['generate_demo_dataset', 'make_demo_sample']

_SPLIT_IDS = dict(train=1, test=2)
_FIELD_COLOURS = np.array(
    [[96, 122, 70], [120, 138, 84], [140, 130, 92], [110, 104, 74],
     [150, 146, 110], [82, 104, 66], [128, 116, 86], [104, 128, 98]],
    dtype=np.float32)
_ROOF_COLOURS = [(196, 72, 58), (214, 120, 70), (226, 226, 220),
                 (88, 132, 188), (232, 196, 120), (170, 60, 110)]
_HULL_COLOURS = [(236, 236, 232), (250, 250, 246), (222, 96, 70),
                 (240, 200, 60)]
_PLANE_COLOURS = [(244, 244, 244), (226, 230, 236), (250, 240, 220)]
_TANK_COLOURS = [(240, 240, 236), (226, 230, 238), (238, 224, 200)]
_WATER = (46, 78, 92)

Point = Tuple[float, float]


def _rotate(points: Sequence[Point], angle: float, cx: float,
            cy: float) -> List[Point]:
    """Rotate local ``points`` by ``angle`` (rad) and move them to cx, cy."""
    c, s = np.cos(angle), np.sin(angle)
    return [(cx + c * x - s * y, cy + s * x + c * y) for x, y in points]


def _smooth_noise(rng: np.random.Generator, size: int, cells: int,
                  amplitude: float) -> np.ndarray:
    """Low-frequency noise: a random grid upsampled bicubically."""
    grid = rng.uniform(-1, 1, (cells, cells)).astype(np.float32)
    img = Image.fromarray(grid).resize((size, size), Image.Resampling.BICUBIC)
    return np.asarray(img, dtype=np.float32) * amplitude


def _terrain(rng: np.random.Generator, size: int) -> np.ndarray:
    """Fields (Voronoi cells with crop stripes) plus shading and grain."""
    n_fields = int(rng.integers(4, 9))
    seeds = rng.uniform(0, size, (n_fields, 2))
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    dist = ((xx[None] - seeds[:, 0, None, None])**2 +
            (yy[None] - seeds[:, 1, None, None])**2)
    label = np.argmin(dist, axis=0)
    colours = _FIELD_COLOURS[rng.integers(0, len(_FIELD_COLOURS), n_fields)]
    colours = colours + rng.uniform(-10, 10, colours.shape)
    img = colours[label]
    # crop rows: a sinusoid with a per-field orientation and period
    theta = rng.uniform(0, np.pi, n_fields)[label]
    period = rng.uniform(4, 10, n_fields)[label]
    amp = rng.uniform(0, 7, n_fields)[label]
    stripes = np.sin(
        (xx * np.cos(theta) + yy * np.sin(theta)) * 2 * np.pi / period)
    img += (stripes * amp)[..., None]
    img += _smooth_noise(rng, size, 6, 14.0)[..., None]
    img += rng.normal(0, 4.0, img.shape)
    return img


def _free(mask: np.ndarray, box: Tuple[int, int, int, int]) -> bool:
    """Whether the axis-aligned ``box`` (x0, y0, x1, y1) is unoccupied."""
    x0, y0, x1, y1 = (max(0, int(v)) for v in box)
    return not mask[y0:y1, x0:x1].any()


def _draw_linear_features(draw: ImageDraw.ImageDraw, rng: np.random.Generator,
                          size: int) -> None:
    """Roads (grey, straight) and a river (dark, meandering)."""
    for _ in range(int(rng.integers(0, 3))):
        if rng.random() < 0.5:
            y = rng.uniform(0, size)
            pts = [(0, y), (size, y + rng.uniform(-size / 3, size / 3))]
        else:
            x = rng.uniform(0, size)
            pts = [(x, 0), (x + rng.uniform(-size / 3, size / 3), size)]
        grey = int(rng.integers(120, 160))
        draw.line(
            pts,
            fill=(grey, grey - 4, grey - 10),
            width=int(rng.integers(2, 6)))
    if rng.random() < 0.35:
        x = rng.uniform(0.2, 0.8) * size
        pts = []
        for t in np.linspace(0, 1, 12):
            x += rng.uniform(-size / 12, size / 12)
            pts.append((x, t * size))
        draw.line(pts, fill=(58, 84, 88), width=int(rng.integers(5, 11)))


def _draw_distractors(draw: ImageDraw.ImageDraw, rng: np.random.Generator,
                      size: int) -> None:
    """Non-salient clutter: tree clumps and bare-soil patches."""
    for _ in range(int(rng.integers(10, 40))):
        cx, cy = rng.uniform(0, size, 2)
        r = rng.uniform(1.5, 4.5)
        g = int(rng.integers(50, 80))
        draw.ellipse([cx - r, cy - r, cx + r, cy + r],
                     fill=(g - 20, g + 10, g - 25))
    for _ in range(int(rng.integers(0, 4))):
        cx, cy = rng.uniform(0, size, 2)
        n = 7
        ang = np.sort(rng.uniform(0, 2 * np.pi, n))
        rad = rng.uniform(0.03, 0.08, n) * size
        pts = [(cx + r * np.cos(a), cy + r * np.sin(a))
               for a, r in zip(ang, rad)]
        b = int(rng.integers(130, 160))
        draw.polygon(pts, fill=(b, b - 14, b - 34))


def _draw_tank(draw: ImageDraw.ImageDraw, tx: float, ty: float, rad: float,
               colour: Tuple[int, int, int]) -> None:
    """A storage tank seen from above: a round roof of radius ``rad`` at
    ``(tx, ty)`` with its shadow cast down-right."""
    off = rad * 0.3
    draw.ellipse(
        [tx - rad + off, ty - rad + off, tx + rad + off, ty + rad + off],
        fill=(38, 40, 38))
    draw.ellipse([tx - rad, ty - rad, tx + rad, ty + rad],
                 fill=colour,
                 outline=tuple(c - 60 for c in colour),
                 width=max(1, int(rad / 6)))


def _building(rng: np.random.Generator, size: int, cx: float, cy: float,
              scale: float) -> Tuple[List[Point], List[Point], tuple]:
    w = scale * rng.uniform(0.6, 1.0)
    h = scale * rng.uniform(0.35, 0.8)
    angle = rng.uniform(0, np.pi)
    body = _rotate([(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2),
                    (-w / 2, h / 2)], angle, cx, cy)
    off = scale * 0.18
    shadow = [(x + off, y + off) for x, y in body]
    colour = _ROOF_COLOURS[int(rng.integers(len(_ROOF_COLOURS)))]
    return body, shadow, colour


def _ship(rng: np.random.Generator, size: int, cx: float, cy: float,
          scale: float) -> Tuple[List[Point], List[Point], tuple]:
    length = scale
    beam = scale * rng.uniform(0.16, 0.26)
    angle = rng.uniform(0, 2 * np.pi)
    hull = [(-length / 2, -beam / 2), (length * 0.25, -beam / 2),
            (length / 2, 0), (length * 0.25, beam / 2),
            (-length / 2, beam / 2)]
    wake = [(-length / 2, -beam / 2), (-length * 1.2, -beam * 1.3),
            (-length * 1.2, beam * 1.3), (-length / 2, beam / 2)]
    colour = _HULL_COLOURS[int(rng.integers(len(_HULL_COLOURS)))]
    return (_rotate(hull, angle, cx, cy), _rotate(wake, angle, cx, cy), colour)


def _aircraft(rng: np.random.Generator, size: int, cx: float, cy: float,
              scale: float) -> Tuple[List[Point], List[Point], tuple]:
    s = scale / 2
    f = 0.09 * s  # fuselage half width
    pts = [(s, 0), (0.8 * s, -f), (0.15 * s, -f), (-0.1 * s, -s),
           (-0.3 * s, -s), (-0.2 * s, -f), (-0.75 * s, -f),
           (-0.9 * s, -0.35 * s), (-1.0 * s, -0.35 * s), (-0.95 * s, 0),
           (-1.0 * s, 0.35 * s), (-0.9 * s, 0.35 * s), (-0.75 * s, f),
           (-0.2 * s, f), (-0.3 * s, s), (-0.1 * s, s), (0.15 * s, f),
           (0.8 * s, f)]
    angle = rng.uniform(0, 2 * np.pi)
    body = _rotate(pts, angle, cx, cy)
    off = scale * 0.08
    shadow = [(x + off, y + off) for x, y in body]
    colour = _PLANE_COLOURS[int(rng.integers(len(_PLANE_COLOURS)))]
    return body, shadow, colour


def make_demo_sample(rng: np.random.Generator,
                     size: int = 256) -> Tuple[np.ndarray, np.ndarray]:
    """Draw one synthetic remote-sensing image and its saliency mask.

    Args:
        rng (np.random.Generator): Random stream (the only randomness).
        size (int): Image side in pixels. Defaults to 256.

    Returns:
        tuple[np.ndarray, np.ndarray]: RGB image ``uint8`` (size, size, 3)
        and mask ``uint8`` (size, size) with values 0/255.
    """
    base = np.clip(_terrain(rng, size), 0, 255).astype(np.uint8)
    img = Image.fromarray(base)
    draw = ImageDraw.Draw(img)
    _draw_linear_features(draw, rng, size)
    _draw_distractors(draw, rng, size)

    mask = Image.new('L', (size, size), 0)
    mdraw = ImageDraw.Draw(mask)
    occupied = np.zeros((size, size), dtype=bool)
    scene = rng.choice(['urban', 'harbour', 'airport', 'industrial'])

    water_box = None
    if scene == 'harbour':
        # a water body on one side; ships are placed on it
        side = int(rng.integers(4))
        depth = int(size * rng.uniform(0.45, 0.7))
        boxes = [(0, 0, depth, size), (size - depth, 0, size, size),
                 (0, 0, size, depth), (0, size - depth, size, size)]
        water_box = boxes[side]
        draw.rectangle(water_box, fill=_WATER)
        ripple = _smooth_noise(rng, size, 16, 6.0)
        arr = np.asarray(img).astype(np.float32)
        x0, y0, x1, y1 = water_box
        arr[y0:y1, x0:x1] += ripple[y0:y1, x0:x1, None]
        img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
        draw = ImageDraw.Draw(img)

    n_obj = int(rng.integers(1, 5))
    placed = 0
    for _ in range(40):
        if placed >= n_obj:
            break
        kind = scene
        if rng.random() < 0.25 and scene != 'harbour':
            kind = rng.choice(['urban', 'airport', 'industrial'])
        scale = size * rng.uniform(0.08, 0.3)
        if water_box is not None:
            x0, y0, x1, y1 = water_box
            cx = rng.uniform(x0 + scale / 2,
                             max(x0 + scale / 2 + 1, x1 - scale / 2))
            cy = rng.uniform(y0 + scale / 2,
                             max(y0 + scale / 2 + 1, y1 - scale / 2))
        else:
            cx, cy = rng.uniform(scale / 2, size - scale / 2, 2)
        r = scale * 0.75
        if not _free(occupied, (cx - r, cy - r, cx + r, cy + r)):
            continue
        if scene == 'harbour':
            hull, wake, colour = _ship(rng, size, cx, cy, scale)
            draw.polygon(wake, fill=(64, 96, 106))
            draw.polygon(hull, fill=colour)
            draw.line(
                hull[1:4], fill=tuple(max(0, c - 40) for c in colour), width=1)
            mdraw.polygon(hull, fill=255)
        elif kind == 'urban':
            body, shadow, colour = _building(rng, size, cx, cy, scale)
            draw.polygon(shadow, fill=(34, 38, 34))
            draw.polygon(body, fill=colour)
            # roof ridge
            mid = [
                ((body[0][0] + body[3][0]) / 2, (body[0][1] + body[3][1]) / 2),
                ((body[1][0] + body[2][0]) / 2, (body[1][1] + body[2][1]) / 2)
            ]
            draw.line(
                mid,
                fill=tuple(max(0, c - 50) for c in colour),
                width=max(1, int(scale / 25)))
            mdraw.polygon(body, fill=255)
        elif kind == 'airport':
            body, shadow, colour = _aircraft(rng, size, cx, cy, scale)
            draw.polygon(shadow, fill=(40, 44, 42))
            draw.polygon(body, fill=colour)
            mdraw.polygon(body, fill=255)
        else:  # industrial: storage tanks, often in a row
            rad = scale * rng.uniform(0.2, 0.4)
            colour = _TANK_COLOURS[int(rng.integers(len(_TANK_COLOURS)))]
            count = int(rng.integers(1, 4))
            step = rad * 2.4
            angle = rng.uniform(0, np.pi)
            for k in range(count):
                tx = cx + (k - (count - 1) / 2) * step * np.cos(angle)
                ty = cy + (k - (count - 1) / 2) * step * np.sin(angle)
                _draw_tank(draw, tx, ty, rad, colour)
                mdraw.ellipse([tx - rad, ty - rad, tx + rad, ty + rad],
                              fill=255)
        x0, y0, x1, y1 = (
            int(np.clip(v, 0, size)) for v in (cx - r, cy - r, cx + r, cy + r))
        occupied[y0:y1, x0:x1] = True
        placed += 1

    img = img.filter(ImageFilter.GaussianBlur(radius=0.6))
    mask_arr = np.asarray(mask, dtype=np.uint8)
    if not mask_arr.any():
        # never emit an image without a salient object
        c = size // 2
        r = size // 10
        draw = ImageDraw.Draw(img)
        draw.ellipse([c - r, c - r, c + r, c + r], fill=_TANK_COLOURS[0])
        mdraw.ellipse([c - r, c - r, c + r, c + r], fill=255)
        mask_arr = np.asarray(mask, dtype=np.uint8)
    return np.asarray(img, dtype=np.uint8), mask_arr.copy()


def _write_split(root: str, split: str, num: int, size: int,
                 seed: int) -> None:
    img_dir = osp.join(root, f'{split}-images')
    ann_dir = osp.join(root, f'{split}-labels')
    os.makedirs(img_dir)
    os.makedirs(ann_dir)
    for idx in range(num):
        rng = np.random.default_rng([seed, _SPLIT_IDS[split], idx])
        img, mask = make_demo_sample(rng, size)
        name = f'{idx:04d}'
        Image.fromarray(img).save(
            osp.join(img_dir, name + '.jpg'), 'JPEG', quality=95)
        Image.fromarray(mask).save(osp.join(ann_dir, name + '.png'), 'PNG')


def generate_demo_dataset(out_dir: str,
                          num_train: int = 48,
                          num_test: int = 16,
                          size: int = 256,
                          seed: int = 0,
                          overwrite: bool = False) -> Dict[str, object]:
    """Generate the synthetic SOD dataset into ``out_dir`` atomically.

    Files are written into a temporary sibling folder that is renamed to
    ``out_dir`` only when complete, so an interrupted run never leaves a
    partial dataset at ``out_dir``.

    Args:
        out_dir (str): Output folder (must not exist unless ``overwrite``).
        num_train (int): Number of training pairs. Defaults to 48.
        num_test (int): Number of test pairs. Defaults to 16.
        size (int): Image side in pixels (>= 64). Defaults to 256.
        seed (int): Random seed (>= 0). Defaults to 0.
        overwrite (bool): Replace an existing ``out_dir``. Defaults to
            False.

    Returns:
        dict: ``out_dir``, ``num_train``, ``num_test``, ``size``, ``seed``.

    Raises:
        FileExistsError: If ``out_dir`` exists and ``overwrite`` is False.
        ValueError: On invalid arguments.
    """
    if num_train < 1 or num_test < 1:
        raise ValueError('num_train and num_test must be >= 1, got '
                         f'{num_train} and {num_test}')
    if size < 64:
        raise ValueError(f'size must be >= 64, got {size}')
    if seed < 0:
        raise ValueError(f'seed must be >= 0, got {seed}')
    out_dir = osp.abspath(out_dir)
    if osp.exists(out_dir) and not overwrite:
        raise FileExistsError(
            f'{out_dir} already exists; pass overwrite=True (--overwrite) '
            'to replace it')
    parent = osp.dirname(out_dir)
    os.makedirs(parent, exist_ok=True)
    info = dict(
        generator='mmrsod.testing.demo_data',
        layout='orssd',
        num_train=num_train,
        num_test=num_test,
        size=size,
        seed=seed)
    with atomic_output_dir(out_dir) as tmp:
        _write_split(tmp, 'train', num_train, size, seed)
        _write_split(tmp, 'test', num_test, size, seed)
        with open(osp.join(tmp, 'demo_data.json'), 'w') as fh:
            json.dump(info, fh, indent=2, sort_keys=True)
            fh.write('\n')
    info['out_dir'] = out_dir
    return info

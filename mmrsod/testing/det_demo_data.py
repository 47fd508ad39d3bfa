# Copyright (c) mmrsod contributors. All rights reserved.
"""Deterministic generator of a small synthetic remote-sensing detection set.

The images imitate optical VHR scenes (the terrain, roads, rivers and
clutter of :mod:`mmrsod.testing.demo_data`) with four NWPU VHR-10 object
classes drawn on them: airplanes (1) with cast shadows, ships (2) with
wakes on a water body, storage tanks (3) in rows, and vehicles (10) along
the roads. The output uses the official NWPU VHR-10 release layout::

    <out_dir>/positive image set/001.jpg ...
    <out_dir>/ground truth/001.txt ...     lines "(x1,y1),(x2,y2),c"
    <out_dir>/readme.txt                   (what this is)
    <out_dir>/demo_data.json               (generation parameters)

so ``tools/dataset_converters/nwpu_vhr10.py`` converts it like the real
data set. Boxes are the integer bounding rectangles of the drawn shapes
(``x1 = floor(min x)``, ``x2 = ceil(max x)``), every object lies wholly
inside its image and objects do not overlap. Images are a little larger
than the demo's 256 px tile (288..420 x 272..380 px by default), so tiling
cuts 2 to 4 overlapping tiles from each. Every image comes from its own
random stream seeded by ``(seed, index)``: the same arguments always give
byte-identical files. Nothing is copied from real data.
"""
import json
import math
import os
import os.path as osp
from typing import Dict, List, Sequence, Tuple

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from mmrsod.utils.atomic_io import atomic_output_dir
from .demo_data import (_TANK_COLOURS, _WATER, _aircraft, _draw_distractors,
                        _draw_tank, _rotate, _ship, _smooth_noise, _terrain)

__all__ = ['DET_DEMO_CLASSES', 'make_det_demo_sample', 'generate_det_demo']

#: NWPU VHR-10 class id -> name of the classes the demo draws.
DET_DEMO_CLASSES = {1: 'airplane', 2: 'ship', 3: 'storage tank', 10: 'vehicle'}
_CAR_COLOURS = [(200, 30, 30), (30, 60, 180), (235, 235, 235), (20, 20, 24),
                (230, 200, 40)]

Box = Tuple[int, int, int, int, int]


def _bounds(points: Sequence[Tuple[float, float]]) -> Tuple[int, ...]:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return (math.floor(min(xs)), math.floor(min(ys)), math.ceil(max(xs)),
            math.ceil(max(ys)))


def _fits(occupied: np.ndarray, box: Sequence[int], margin: int = 3) -> bool:
    """Whether ``box`` (x1, y1, x2, y2) is inside the image and free."""
    h, w = occupied.shape
    x1, y1, x2, y2 = box
    if x1 < 1 or y1 < 1 or x2 > w - 1 or y2 > h - 1:
        return False
    return not occupied[max(0, y1 - margin):y2 + margin,
                        max(0, x1 - margin):x2 + margin].any()


def _occupy(occupied: np.ndarray, box: Sequence[int]) -> None:
    x1, y1, x2, y2 = box
    occupied[y1:y2, x1:x2] = True


def _roads(draw: ImageDraw.ImageDraw, rng: np.random.Generator, width: int,
           height: int) -> List[Tuple[Tuple[float, float], float, float]]:
    """One or two straight roads; returns (start, angle, length) of each."""
    roads = []
    for _ in range(int(rng.integers(1, 3))):
        if rng.random() < 0.5:
            y0 = rng.uniform(0.2, 0.8) * height
            y1 = y0 + rng.uniform(-0.2, 0.2) * height
            start, end = (0.0, y0), (float(width), y1)
        else:
            x0 = rng.uniform(0.2, 0.8) * width
            x1 = x0 + rng.uniform(-0.2, 0.2) * width
            start, end = (x0, 0.0), (x1, float(height))
        grey = int(rng.integers(110, 150))
        draw.line([start, end], fill=(grey, grey - 4, grey - 8), width=16)
        angle = math.atan2(end[1] - start[1], end[0] - start[0])
        roads.append(
            (start, angle, math.hypot(end[0] - start[0], end[1] - start[1])))
    return roads


def make_det_demo_sample(rng: np.random.Generator, width: int,
                         height: int) -> Tuple[np.ndarray, List[Box]]:
    """Draw one synthetic scene and its boxes.

    Args:
        rng (np.random.Generator): Random stream (the only randomness).
        width (int): Image width (>= 128).
        height (int): Image height (>= 128).

    Returns:
        tuple[np.ndarray, list[tuple]]: RGB image ``uint8`` of shape
        (height, width, 3) and boxes ``(x1, y1, x2, y2, class_id)`` in
        integer pixel corners, ``0 <= x1 < x2 <= width``, class ids from
        :data:`DET_DEMO_CLASSES`; at least one box.
    """
    side = max(width, height)
    base = _terrain(rng, side)[:height, :width]
    img = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(img)
    occupied = np.zeros((height, width), dtype=bool)
    boxes: List[Box] = []
    roads = _roads(draw, rng, width, height)
    _draw_distractors(draw, rng, side)

    # a water body along one side (over the roads and clutter), with ships
    if rng.random() < 0.5:
        side_id = int(rng.integers(4))  # left, right, top, bottom
        depth = int(
            rng.uniform(0.3, 0.45) * (width if side_id < 2 else height))
        water = [(0, 0, depth, height), (width - depth, 0, width, height),
                 (0, 0, width, depth),
                 (0, height - depth, width, height)][side_id]
        draw.rectangle(water, fill=_WATER)
        arr = np.asarray(img).astype(np.float32)
        x0, y0, x1, y1 = (min(
            v, lim) for v, lim in zip(water, (width, height, width, height)))
        arr[y0:y1, x0:x1] += _smooth_noise(rng, side, 12, 5.0)[y0:y1, x0:x1,
                                                               None]
        img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
        draw = ImageDraw.Draw(img)
        land = np.zeros_like(occupied)
        land[:, :] = True
        land[y0:y1, x0:x1] = False
        for _ in range(int(rng.integers(1, 4))):
            for _try in range(20):
                length = rng.uniform(40, 80)
                cx = rng.uniform(x0, x1)
                cy = rng.uniform(y0, y1)
                hull, wake, colour = _ship(rng, side, cx, cy, length)
                box = _bounds(hull)
                wbox = _bounds(hull + wake)
                if not (_fits(occupied, box) and x0 <= wbox[0]
                        and wbox[2] <= x1 and y0 <= wbox[1] and wbox[3] <= y1):
                    continue
                draw.polygon(wake, fill=(64, 96, 106))
                draw.polygon(hull, fill=colour)
                _occupy(occupied, box)
                boxes.append(box + (2, ))
                break
        occupied |= ~land  # nothing else goes on the water

    # vehicles parked along a road
    for start, angle, length in roads:
        n_cars = int(rng.integers(0, 5))
        for k in range(n_cars):
            t = rng.uniform(0.05, 0.95) * length
            off = rng.choice([-5.0, 5.0])
            cx = start[0] + t * math.cos(angle) - off * math.sin(angle)
            cy = start[1] + t * math.sin(angle) + off * math.cos(angle)
            car_l, car_w = rng.uniform(18, 26), rng.uniform(9, 12)
            body = _rotate([(-car_l / 2, -car_w / 2), (car_l / 2, -car_w / 2),
                            (car_l / 2, car_w / 2), (-car_l / 2, car_w / 2)],
                           angle, cx, cy)
            box = _bounds(body)
            if not _fits(occupied, box, margin=1):
                continue
            colour = _CAR_COLOURS[int(rng.integers(len(_CAR_COLOURS)))]
            draw.polygon([(x + 2, y + 2) for x, y in body], fill=(30, 32, 30))
            draw.polygon(body, fill=colour)
            _occupy(occupied, box)
            boxes.append(box + (10, ))

    # airplanes and rows of storage tanks on land
    for _ in range(int(rng.integers(1, 5))):
        for _try in range(30):
            if rng.random() < 0.5:
                span = rng.uniform(44, 80)
                cx, cy = rng.uniform(0, width), rng.uniform(0, height)
                body, shadow, colour = _aircraft(rng, side, cx, cy, span)
                box = _bounds(body + shadow)
                if not _fits(occupied, box):
                    continue
                draw.polygon(shadow, fill=(40, 44, 42))
                draw.polygon(body, fill=colour)
                tight = _bounds(body)
                _occupy(occupied, box)
                boxes.append(tight + (1, ))
                break
            rad = rng.uniform(11, 22)
            count = int(rng.integers(1, 4))
            step = rad * 2.5
            angle = rng.uniform(0, np.pi)
            cx, cy = rng.uniform(0, width), rng.uniform(0, height)
            centres = [(cx + (k - (count - 1) / 2) * step * math.cos(angle),
                        cy + (k - (count - 1) / 2) * step * math.sin(angle))
                       for k in range(count)]
            tank_boxes = [(math.floor(tx - rad), math.floor(ty - rad),
                           math.ceil(tx + rad), math.ceil(ty + rad))
                          for tx, ty in centres]
            outer = (min(b[0]
                         for b in tank_boxes), min(b[1] for b in tank_boxes),
                     max(b[2] for b in tank_boxes) + int(rad * 0.3) + 1,
                     max(b[3] for b in tank_boxes) + int(rad * 0.3) + 1)
            if not _fits(occupied, outer):
                continue
            colour = _TANK_COLOURS[int(rng.integers(len(_TANK_COLOURS)))]
            for (tx, ty), tbox in zip(centres, tank_boxes):
                _draw_tank(draw, tx, ty, rad, colour)
                boxes.append(tbox + (3, ))
            _occupy(occupied, outer)
            break

    if not boxes:  # never emit an image without an object
        cx, cy, rad = width / 2, height / 2, 16
        draw.ellipse([cx - rad, cy - rad, cx + rad, cy + rad],
                     fill=_TANK_COLOURS[0])
        boxes.append((math.floor(cx - rad), math.floor(cy - rad),
                      math.ceil(cx + rad), math.ceil(cy + rad), 3))
    img = img.filter(ImageFilter.GaussianBlur(radius=0.5))
    return np.asarray(img, dtype=np.uint8).copy(), boxes


_README = """Synthetic remote-sensing detection demo set generated by
mmrsod.testing.det_demo_data (not real data). Same layout and ground-truth
format as the NWPU VHR-10 release: each line of "ground truth/NNN.txt" is
(x1,y1),(x2,y2),a with a the object class (1-airplane, 2-ship,
3-storage tank, 4-baseball diamond, 5-tennis court, 6-basketball court,
7-ground track field, 8-harbor, 9-bridge, 10-vehicle); this set draws
classes 1, 2, 3 and 10 only.
"""


def generate_det_demo(out_dir: str,
                      num_images: int = 40,
                      seed: int = 0,
                      min_size: Tuple[int, int] = (288, 272),
                      max_size: Tuple[int, int] = (420, 380),
                      overwrite: bool = False) -> Dict[str, object]:
    """Generate the synthetic detection set into ``out_dir`` atomically.

    Files are written into a temporary sibling folder that is renamed to
    ``out_dir`` only when complete.

    Args:
        out_dir (str): Output folder (must not exist unless ``overwrite``).
        num_images (int): Number of (positive) images. Defaults to 40.
        seed (int): Random seed (>= 0). Defaults to 0.
        min_size (tuple[int, int]): Smallest (width, height). Defaults to
            (288, 272).
        max_size (tuple[int, int]): Largest (width, height). Defaults to
            (420, 380).
        overwrite (bool): Replace an existing ``out_dir``. Defaults to
            False.

    Returns:
        dict: The parameters, ``out_dir``, ``num_boxes`` and
        ``boxes_per_class`` (class name -> count).

    Raises:
        FileExistsError: If ``out_dir`` exists and ``overwrite`` is False.
        ValueError: On invalid arguments.
    """
    if num_images < 1:
        raise ValueError(f'num_images must be >= 1, got {num_images}')
    if seed < 0:
        raise ValueError(f'seed must be >= 0, got {seed}')
    if min(min_size) < 128 or any(a > b for a, b in zip(min_size, max_size)):
        raise ValueError(f'need 128 <= min_size <= max_size, got {min_size} '
                         f'and {max_size}')
    out_dir = osp.abspath(out_dir)
    if osp.exists(out_dir) and not overwrite:
        raise FileExistsError(
            f'{out_dir} already exists; pass overwrite=True (--overwrite) '
            'to replace it')
    parent = osp.dirname(out_dir)
    os.makedirs(parent, exist_ok=True)
    counts = {name: 0 for name in DET_DEMO_CLASSES.values()}
    with atomic_output_dir(out_dir) as tmp:
        img_dir = osp.join(tmp, 'positive image set')
        gt_dir = osp.join(tmp, 'ground truth')
        os.makedirs(img_dir)
        os.makedirs(gt_dir)
        for idx in range(num_images):
            rng = np.random.default_rng([seed, idx])
            width = int(rng.integers(min_size[0], max_size[0] + 1))
            height = int(rng.integers(min_size[1], max_size[1] + 1))
            img, boxes = make_det_demo_sample(rng, width, height)
            name = f'{idx + 1:03d}'
            Image.fromarray(img).save(
                osp.join(img_dir, name + '.jpg'), 'JPEG', quality=95)
            with open(osp.join(gt_dir, name + '.txt'), 'w') as f:
                for x1, y1, x2, y2, c in boxes:
                    f.write(f'({x1},{y1}),({x2},{y2}),{c}\n')
                    counts[DET_DEMO_CLASSES[c]] += 1
        info = dict(
            generator='mmrsod.testing.det_demo_data',
            layout='nwpu_vhr10',
            num_images=num_images,
            seed=seed,
            min_size=list(min_size),
            max_size=list(max_size),
            num_boxes=sum(counts.values()),
            boxes_per_class=counts)
        with open(osp.join(tmp, 'readme.txt'), 'w') as f:
            f.write(_README)
        with open(osp.join(tmp, 'demo_data.json'), 'w') as f:
            json.dump(info, f, indent=2, sort_keys=True)
            f.write('\n')
    info['out_dir'] = out_dir
    return info

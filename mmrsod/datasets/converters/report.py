# Copyright (c) mmrsod contributors. All rights reserved.
"""Conversion report: what was written, and what was skipped and why.

Nothing a converter leaves out goes uncounted: every skipped item (a box,
an image, an annotation file) is recorded with its reason and its place
(``file:line`` or a file), every adjusted item (a clipped box) likewise.
The report is printed as the converter's summary and written next to the
COCO files as ``<name>_report.json``.
"""
import json
import os.path as osp
from collections import Counter, OrderedDict
from typing import Dict, List

from mmrsod.utils.atomic_io import atomic_write_bytes
from mmrsod.utils.errors import InputError

__all__ = ['ConversionReport', 'write_json']

_MAX_EXAMPLES = 5


def write_json(obj, path: str) -> None:
    """Write ``obj`` as json atomically (temporary file + rename).

    Args:
        obj: A json-serialisable object.
        path (str): The destination file; its folder is created.
    """
    atomic_write_bytes(json.dumps(obj).encode('utf-8'), path)


class ConversionReport:
    """Counts of a conversion run.

    Args:
        name (str): The data set name (``nwpu_vhr10``, ``dota``, ...).
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.splits: Dict[str, dict] = OrderedDict()
        self.skipped: Counter = Counter()
        self.notes: Counter = Counter()
        self.examples: Dict[str, List[str]] = {}
        self.outputs: List[str] = []

    def _example(self, reason: str, where: str) -> None:
        examples = self.examples.setdefault(reason, [])
        if len(examples) < _MAX_EXAMPLES:
            examples.append(where)

    def skip(self, reason: str, where: str) -> None:
        """Count an item left out of the output.

        Args:
            reason (str): Short reason, e.g. ``'zero-area box'``.
            where (str): ``file:line`` or the file concerned.
        """
        self.skipped[reason] += 1
        self._example(reason, where)

    def reject(self, reason: str, where: str, message: str,
               skip_invalid: bool) -> None:
        """Stop on an invalid item, or with ``skip_invalid`` count it.

        Args:
            reason (str): Short reason counted when skipped.
            where (str): ``file:line`` or the file concerned.
            message (str): What is wrong and what to do; the error reads
                ``'<where>: <message>'``.
            skip_invalid (bool): Skip and count instead of raising.

        Raises:
            InputError: Unless ``skip_invalid``.
        """
        if not skip_invalid:
            raise InputError(f'{where}: {message}')
        self.skip(reason, where)

    def note(self, reason: str, where: str) -> None:
        """Count an item kept in a changed form (e.g. a clipped box) or
        a harmless oddity (e.g. a blank line)."""
        self.notes[reason] += 1
        self._example(reason, where)

    def add_split(self, split: str, num_images: int,
                  boxes_per_class: Dict[str, int], num_crowd: int) -> None:
        """Record the images and per-class boxes written for a split."""
        self.splits[split] = dict(
            images=num_images,
            boxes=sum(boxes_per_class.values()),
            ignore_boxes=num_crowd,
            boxes_per_class=dict(boxes_per_class))

    def to_dict(self) -> dict:
        """Return the report as a json-serialisable dict."""
        return dict(
            name=self.name,
            splits=self.splits,
            skipped=dict(self.skipped),
            notes=dict(self.notes),
            examples=self.examples,
            outputs=self.outputs)

    def write(self, out_dir: str) -> str:
        """Write ``OUT_DIR/<name>_report.json`` atomically; returns it."""
        path = osp.join(out_dir, f'{self.name}_report.json')
        atomic_write_bytes(
            json.dumps(self.to_dict(), indent=2).encode('utf-8'), path)
        return path

    def format_summary(self) -> str:
        """Return the human-readable summary printed by the tools."""
        lines = [f'{self.name}: converted splits']
        classes: List[str] = []
        for info in self.splits.values():
            for name in info['boxes_per_class']:
                if name not in classes:
                    classes.append(name)
        splits = list(self.splits)
        width = max(len(c) for c in classes + ['ignore_boxes'])
        header = f'  {"":<{width}}' + ''.join(f'{s:>10}' for s in splits)
        lines.append(header)
        for key in ('images', 'boxes', 'ignore_boxes'):
            lines.append(f'  {key:<{width}}' +
                         ''.join(f'{self.splits[s][key]:>10}' for s in splits))
        for name in classes:
            lines.append(f'  {name:<{width}}' + ''.join(
                f'{self.splits[s]["boxes_per_class"].get(name, 0):>10}'
                for s in splits))
        if self.skipped:
            lines.append('skipped (left out of the output):')
            for reason, count in sorted(self.skipped.items()):
                lines.append(f'  {count:>6}  {reason}: e.g. ' +
                             '; '.join(self.examples.get(reason, [])))
        else:
            lines.append('skipped: nothing')
        if self.notes:
            lines.append('notes (kept):')
            for reason, count in sorted(self.notes.items()):
                lines.append(f'  {count:>6}  {reason}: e.g. ' +
                             '; '.join(self.examples.get(reason, [])))
        if self.outputs:
            lines.append('wrote: ' + ', '.join(self.outputs))
        return '\n'.join(lines)

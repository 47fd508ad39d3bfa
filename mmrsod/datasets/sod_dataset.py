# Copyright (c) mmrsod contributors. All rights reserved.
"""Salient object detection datasets (ORSSD, EORSSD, ORSI-4199 layouts).

Official layouts
----------------
ORSSD / EORSSD (as released, ``layout='orssd'`` / ``'eorssd'``)::

    <data_root>/train-images/0001.jpg   <data_root>/train-labels/0001.png
    <data_root>/test-images/0004.jpg    <data_root>/test-labels/0004.png

ORSI-4199 (``layout='orsi4199'``)::

    <data_root>/trainset/images/0001.jpg  <data_root>/trainset/gt/0001.png
    <data_root>/testset/images/0002.jpg   <data_root>/testset/gt/0002.png

  The data set is released by the MJRBM authors (Tu et al., "ORSI Salient
  Object Detection via Multiscale Joint Region and Boundary Model", TGRS
  2022) through the Baidu Netdisk link in ``github.com/wchao1213/ORSI-SOD``
  (file "The dataset download location", extraction code ``fy06``); 2000
  train / 2199 test images. The authors' loader (``lib/dataset.py`` of that
  repository) reads ``<split dir>/images/<name>.jpg`` with
  ``<split dir>/gt/<name>.png``, and third-party RSI-SOD code that loads the
  release uses ``ors-4199/trainset/images`` + ``trainset/gt`` and
  ``ORSI-4199/testset``. The archive itself could not be inspected here; if
  a copy is laid out differently (e.g. ``train/Image`` + ``train/GT``) pass
  ``data_prefix`` explicitly instead of ``layout``.

  The nine scene attributes (BSO, CS, CSO, ISO, LCS, MSO, NSO, OC, SSO)
  are defined in the ORSI-4199 paper, but no per-image attribute list was
  found in any public source searched (the MJRBM repository, the SRAL
  repository, other RSI-SOD repositories). Attribute evaluation therefore
  needs a user-supplied per-image attribute list.

SRAL authors' layout (``layout='sral'``, ``lyf0801/SRAL``)::

    <data_root>/images/<id>.jpg  <data_root>/labels/<id>.png
    <data_root>/train.txt  <data_root>/test.txt   (ids without extension)

  (the ``edges/`` folder of that layout is not used).

Validation
----------
With ``validate=True`` (default) :meth:`SODDataset.load_data_list` checks,
before any training starts, that the folders exist and are non-empty, that
every image has a mask and every mask an image, that every file can be
opened and is complete (PIL header + JPEG ``EOI`` / PNG ``IEND`` trailer)
and carries no EXIF rotation, and that each mask has the size of its image
(header sizes only). Any problem raises :class:`SODDataError` with one line
that names the files. On EORSSD (2000 pairs, 4000 files) the check costs
about 0.5 s on a warm file cache; ``validate=False`` skips the per-file
checks (the folder and pairing checks always run).
"""
import os
import os.path as osp
import warnings
from typing import Dict, List, Optional, Sequence, Tuple

import mmengine
import mmengine.fileio as fileio
from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS
from PIL import Image

from mmrsod.utils.errors import SODDataError
from mmrsod.utils.messages import short_list

__all__ = ['SODDataError', 'SODDataset', 'SOD_LAYOUTS', 'check_image_file']

# ``{split}`` is replaced by the ``split`` argument of :class:`SODDataset`.
SOD_LAYOUTS: Dict[str, dict] = dict(
    orssd=dict(
        img_path='{split}-images',
        seg_map_path='{split}-labels',
        img_suffix='.jpg',
        seg_map_suffix='.png'),
    eorssd=dict(
        img_path='{split}-images',
        seg_map_path='{split}-labels',
        img_suffix='.jpg',
        seg_map_suffix='.png'),
    orsi4199=dict(
        img_path='{split}set/images',
        seg_map_path='{split}set/gt',
        img_suffix='.jpg',
        seg_map_suffix='.png'),
    sral=dict(
        img_path='images',
        seg_map_path='labels',
        ann_file='{split}.txt',
        img_suffix='.jpg',
        seg_map_suffix='.png'),
)

_PNG_TRAILER = b'IEND'
_JPEG_EOI = b'\xff\xd9'
_EXIF_ORIENTATION = 0x0112


def check_image_file(path: str) -> Tuple[Optional[Tuple[int, int]], str]:
    """Cheaply check that an image file is readable and complete.

    The PIL header is parsed (no pixel decoding) and the end of the file is
    checked for the JPEG end-of-image marker (``FFD9``) or the PNG ``IEND``
    chunk, which catches truncated downloads and partially copied files.
    JPEGs with an EXIF orientation other than 1 are rejected too: cv2 (and
    so ``LoadImageFromFile``) would rotate them on load, but not their masks.

    Args:
        path (str): Local file path.

    Returns:
        tuple: ``((width, height), '')`` when the file looks fine, otherwise
        ``(None, reason)``.
    """
    try:
        with open(path, 'rb') as fh:
            try:
                with Image.open(fh) as img:
                    size = img.size
                    fmt = img.format
                    orientation = (
                        img.getexif().get(_EXIF_ORIENTATION, 1)
                        if fmt == 'JPEG' else 1)
            except Exception as exc:  # PIL raises many types here
                return None, (f'not a readable image: '
                              f'{exc.__class__.__name__}: {exc}')
            fh.seek(0, os.SEEK_END)
            length = fh.tell()
            fh.seek(max(0, length - 64))
            tail = fh.read()
    except OSError as exc:
        return None, f'cannot be read ({exc.strerror or exc})'
    if fmt == 'JPEG':
        # Some encoders pad after EOI; accept trailing NUL/whitespace.
        if not tail.rstrip(b'\x00\r\n ').endswith(_JPEG_EOI):
            return None, 'truncated JPEG (no end-of-image marker)'
        if orientation not in (0, 1):
            return None, (f'EXIF orientation {orientation}: cv2/mmcv '
                          'rotate the image on load but not its mask; '
                          'strip the tag')
    elif fmt == 'PNG':
        if _PNG_TRAILER not in tail[-16:]:
            return None, 'truncated PNG (no IEND chunk)'
    return size, ''


@DATASETS.register_module()
class SODDataset(BaseSegDataset):
    """Binary salient object detection dataset (image + 0/255 mask pairs).

    Images and masks are paired by file stem: ``<stem><img_suffix>`` in
    ``data_prefix['img_path']`` with ``<stem><seg_map_suffix>`` in
    ``data_prefix['seg_map_path']``; with ``ann_file`` only the listed stems
    are used. Masks are read by
    :class:`~mmrsod.datasets.transforms.LoadSODAnnotations` (any PNG mode,
    thresholded ``>= 128``), so the label values are 0 (background) and 1
    (salient).

    Examples:
        ORSSD / EORSSD, explicit prefixes::

            dict(type='SODDataset', data_root='data/EORSSD',
                 data_prefix=dict(img_path='train-images',
                                  seg_map_path='train-labels'),
                 img_suffix='.jpg', seg_map_suffix='.png', pipeline=...)

        The same through a preset (see :data:`SOD_LAYOUTS`)::

            dict(type='SODDataset', data_root='data/ORSI-4199',
                 layout='orsi4199', split='test', pipeline=...)

    Args:
        data_root (str, optional): Root folder of the data set.
        data_prefix (dict, optional): ``img_path`` and ``seg_map_path``
            relative to ``data_root``. Must not be given together with
            ``layout``. Defaults to ``dict(img_path='', seg_map_path='')``.
        layout (str, optional): Name of a preset in :data:`SOD_LAYOUTS`
            (``'orssd'``, ``'eorssd'``, ``'orsi4199'``, ``'sral'``) that sets
            ``data_prefix``, the suffixes and (``'sral'``) ``ann_file``.
        split (str): Split substituted into the layout (``'train'`` or
            ``'test'``). Only used with ``layout``. Defaults to ``'train'``.
        img_suffix (str, optional): Image suffix. Defaults to ``'.jpg'``
            (or the layout's).
        seg_map_suffix (str, optional): Mask suffix. Defaults to ``'.png'``
            (or the layout's).
        validate (bool): When the data list is loaded, also check every
            file's integrity, EXIF rotation and that each mask has its
            image's size (folders and pairing are always checked).
            Defaults to True.
        max_listed (int): How many offending files an error message names.
            Defaults to 5.
        **kwargs: Other arguments of
            :class:`mmseg.datasets.BaseSegDataset` (``ann_file``,
            ``pipeline``, ``test_mode``, ``indices``, ...).
    """

    METAINFO = dict(
        classes=('background', 'salient'),
        palette=[[0, 0, 0], [255, 255, 255]])

    def __init__(self,
                 data_root: Optional[str] = None,
                 data_prefix: Optional[dict] = None,
                 layout: Optional[str] = None,
                 split: str = 'train',
                 img_suffix: Optional[str] = None,
                 seg_map_suffix: Optional[str] = None,
                 ann_file: Optional[str] = None,
                 validate: bool = True,
                 max_listed: int = 5,
                 **kwargs) -> None:
        self.validate = validate
        self.max_listed = max_listed
        self.layout = layout
        self.split = split
        if layout is not None:
            if layout not in SOD_LAYOUTS:
                raise SODDataError(
                    f'unknown SODDataset layout {layout!r}; expected one of '
                    f'{sorted(SOD_LAYOUTS)}')
            if data_prefix is not None:
                raise SODDataError(
                    'SODDataset: give either `layout` or `data_prefix`, '
                    f'not both (got layout={layout!r}, '
                    f'data_prefix={data_prefix})')
            preset = {
                k: v.format(split=split) if isinstance(v, str) else v
                for k, v in SOD_LAYOUTS[layout].items()
            }
            data_prefix = dict(
                img_path=preset['img_path'],
                seg_map_path=preset['seg_map_path'])
            if img_suffix is None:
                img_suffix = preset['img_suffix']
            if seg_map_suffix is None:
                seg_map_suffix = preset['seg_map_suffix']
            if ann_file is None:
                ann_file = preset.get('ann_file', '')
        if data_prefix is None:
            data_prefix = dict(img_path='', seg_map_path='')
        super().__init__(
            data_root=data_root,
            data_prefix=data_prefix,
            img_suffix='.jpg' if img_suffix is None else img_suffix,
            seg_map_suffix='.png'
            if seg_map_suffix is None else seg_map_suffix,
            ann_file=ann_file or '',
            **kwargs)

    # ------------------------------------------------------------------
    # listing
    # ------------------------------------------------------------------
    def _fail(self, message: str) -> None:
        raise SODDataError(f'{self.__class__.__name__}: {message}')

    def _check_dir(self, path: Optional[str], what: str) -> str:
        """Check that ``path`` is an existing folder and return it."""
        if self.data_root is not None and not fileio.exists(
                self.data_root, backend_args=self.backend_args):
            self._fail(f'data_root not found: {self.data_root}')
        if not path:
            self._fail(f'data_prefix[{what!r}] is not set '
                       f'(data_root={self.data_root})')
        if not fileio.isdir(path, backend_args=self.backend_args):
            self._fail(f'{what} folder not found: {path}')
        return path

    def _list_stems(self, folder: str, suffix: str,
                    what: str) -> Dict[str, str]:
        """Map file stem -> file name for the files ending in ``suffix``.

        The other files are kept in ``self._unmatched[what]`` (stem -> file
        name) for :meth:`_suffix_hint`.
        """
        stems = {}
        others = []
        for name in fileio.list_dir_or_file(
                folder,
                list_dir=False,
                recursive=False,
                backend_args=self.backend_args):
            if name.startswith('.'):
                continue
            if name.endswith(suffix):
                stems[name[:-len(suffix)]] = name
            else:
                others.append(name)
        if not stems:
            hint = ''
            if others:
                exts = sorted({osp.splitext(o)[1] or o for o in others})
                key = 'img_suffix' if what == 'image' else 'seg_map_suffix'
                hint = (f' (it holds {len(others)} other file(s) with '
                        f'suffix(es) {", ".join(exts[:5])}; check {key})')
            self._fail(f'no *{suffix} {what} files in {folder}{hint}')
        self._unmatched = getattr(self, '_unmatched', {})
        self._unmatched[what] = {osp.splitext(o)[0]: o for o in others}
        return stems

    def _suffix_hint(self, stems: Sequence[str], what: str) -> str:
        """Say which missing files exist with another suffix, and the fix.

        Args:
            stems (Sequence[str]): Stems without a ``what`` file.
            what (str): ``'image'`` or ``'mask'``.

        Returns:
            str: ``''`` or ``'; found ... with another suffix: ...'``.
        """
        others = getattr(self, '_unmatched', {}).get(what, {})
        found = [others[s] for s in stems if s in others]
        if not found:
            return ''
        key, value = (('img_suffix', self.img_suffix) if what == 'image' else
                      ('seg_map_suffix', self.seg_map_suffix))
        prefix = 'img_path' if what == 'image' else 'seg_map_path'
        return (f'; found {len(found)} {what}(s) with another suffix: '
                f'{short_list(found, self.max_listed)} (set {key}, now '
                f"{value!r}, to their suffix, or data_prefix['{prefix}'] "
                f'to the folder of the *{value} files)')

    def load_data_list(self) -> List[dict]:
        """Pair images with masks and (optionally) validate the files.

        Returns:
            list[dict]: One dict per sample with ``img_path``,
            ``seg_map_path``, ``seg_fields``, ``label_map`` and
            ``reduce_zero_label``, sorted by ``img_path``.

        Raises:
            SODDataError: If the data set is missing, empty, unpaired,
                corrupt or has a mask whose size differs from its image.
        """
        img_dir = self._check_dir(self.data_prefix.get('img_path'), 'image')
        ann_dir = self._check_dir(self.data_prefix.get('seg_map_path'), 'mask')
        images = self._list_stems(img_dir, self.img_suffix, 'image')
        masks = self._list_stems(ann_dir, self.seg_map_suffix, 'mask')
        n = self.max_listed

        if self.ann_file:
            if not fileio.exists(
                    self.ann_file, backend_args=self.backend_args):
                self._fail(f'ann_file not found: {self.ann_file}')
            stems = [
                line.strip() for line in mmengine.list_from_file(
                    self.ann_file, backend_args=self.backend_args)
                if line.strip()
            ]
            if not stems:
                self._fail(f'ann_file is empty: {self.ann_file}')
            no_img = [s for s in stems if s not in images]
            no_mask = [s for s in stems if s not in masks]
            if no_img:
                self._fail(
                    f'{len(no_img)} id(s) listed in {self.ann_file} have no '
                    f'image in {img_dir}: ' +
                    short_list([s + self.img_suffix for s in no_img], n) +
                    self._suffix_hint(no_img, 'image'))
            if no_mask:
                self._fail(
                    f'{len(no_mask)} id(s) listed in {self.ann_file} have no '
                    f'mask in {ann_dir}: ' +
                    short_list([s + self.seg_map_suffix for s in no_mask], n) +
                    self._suffix_hint(no_mask, 'mask'))
        else:
            no_mask = sorted(set(images) - set(masks))
            no_img = sorted(set(masks) - set(images))
            if no_mask:
                self._fail(
                    f'{len(no_mask)} image(s) in {img_dir} have no mask '
                    f'*{self.seg_map_suffix} in {ann_dir}: ' +
                    short_list([images[s] for s in no_mask], n) +
                    self._suffix_hint(no_mask, 'mask'))
            if no_img:
                self._fail(f'{len(no_img)} mask(s) in {ann_dir} have no image '
                           f'*{self.img_suffix} in {img_dir}: ' +
                           short_list([masks[s] for s in no_img], n) +
                           self._suffix_hint(no_img, 'image'))
            stems = list(images)

        data_list = []
        for stem in stems:
            data_list.append(
                dict(
                    img_path=osp.join(img_dir, images[stem]),
                    seg_map_path=osp.join(ann_dir, masks[stem]),
                    label_map=self.label_map,
                    reduce_zero_label=self.reduce_zero_label,
                    seg_fields=[]))
        data_list.sort(key=lambda x: x['img_path'])

        if self.validate:
            if self.backend_args is not None:
                warnings.warn('SODDataset: file validation only runs on '
                              'local files; skipped because backend_args '
                              'is set.')
            else:
                self._validate_files(data_list)
        return data_list

    def _validate_files(self, data_list: List[dict]) -> None:
        """Check integrity and image/mask size agreement of every pair."""
        corrupt = []
        mismatch = []
        for info in data_list:
            img_size, img_err = check_image_file(info['img_path'])
            mask_size, mask_err = check_image_file(info['seg_map_path'])
            if img_err:
                corrupt.append(f'{info["img_path"]} ({img_err})')
            if mask_err:
                corrupt.append(f'{info["seg_map_path"]} ({mask_err})')
            if img_size and mask_size and img_size != mask_size:
                mismatch.append(f'{info["seg_map_path"]} is {mask_size[0]}x'
                                f'{mask_size[1]} but {info["img_path"]} is '
                                f'{img_size[0]}x{img_size[1]}')
        n = self.max_listed
        if corrupt:
            self._fail(f'{len(corrupt)} unreadable or truncated file(s): ' +
                       short_list(corrupt, n))
        if mismatch:
            self._fail(
                f'{len(mismatch)} mask(s) differ in size (WxH) from their '
                'image: ' + short_list(mismatch, n))

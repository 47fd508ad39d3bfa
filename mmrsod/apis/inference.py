# Copyright (c) mmrsod contributors. All rights reserved.
"""Saliency inference on image files, folders and arrays.

The mmseg-style entry points::

    from mmrsod.apis import inference_model, init_model
    model = init_model('configs/sral/sral_r50_1xb8-100e_eorssd.py', 'sral.pth')
    prob = inference_model(model, 'demo.jpg')   # float32 (H, W) in [0, 1]
    probs = inference_model(model, 'images/', batch_size=4)  # list

Preprocessing is the config's ``test_dataloader`` pipeline without its
loading and annotation steps (``LoadImageFromFile``, ``LoadSODAnnotations``),
so a map equals the one ``tools/test.py`` computes for the same image.

Input conversion (documented choice):

* **files** are decoded as the default ``LoadImageFromFile`` of the test
  pipeline does (OpenCV ``IMREAD_COLOR``, BGR): gray images become three
  equal channels, an alpha channel is **dropped** (not composited), 16-bit
  images are scaled to 8 bit by ``v >> 8`` (``floor(v / 256)``, the full
  16-bit range; data that uses only 10-12 bits look dark: stretch them
  first) and EXIF orientation is applied;
* **arrays** follow the same rules: ``uint8`` or ``uint16``, shape
  (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), channels in **BGR(A)** order
  as ``cv2.imread``/``mmcv.imread`` return them (convert RGB arrays from
  PIL with ``arr[..., ::-1]``).
"""
import copy
import os
import os.path as osp
import sys
from pathlib import Path
from typing import List, Optional, Sequence, Union

import mmcv
import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.fileio import get as get_bytes
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint
from mmengine.utils import ProgressBar
from torch import nn

from mmrsod.models.utils import prepare_fast_inference
from mmrsod.utils.checkpoint import register_checkpoint_loaders
from mmrsod.utils.config_utils import check_cfg_options, load_config
from mmrsod.utils.errors import InputError

__all__ = [
    'IMAGE_EXTENSIONS', 'collect_images', 'inference_model', 'init_model',
    'load_image', 'to_bgr_uint8'
]

IMAGE_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff', '.webp')
ImageInput = Union[str, Path, np.ndarray]

# transforms that read files; the inference API loads the image itself
_LOADERS = ('LoadImageFromFile', 'LoadSODAnnotations', 'LoadAnnotations',
            'LoadImageFromNDArray')


def init_model(config: Union[str, Path, Config],
               checkpoint: Optional[str] = None,
               device: str = 'cpu',
               cfg_options: Optional[dict] = None,
               fast: bool = True) -> nn.Module:
    """Build a saliency model from a config for inference.

    As mmseg's ``init_model``: the model is built without pretrained
    weights, the checkpoint (if any) is loaded through mmrsod's
    torch >= 2.6-safe loader (:mod:`mmrsod.utils.checkpoint`), training-only
    branches are dropped (``strip_auxiliary()``, e.g. SRAL's ASRD and TFGM)
    and the model is put in eval mode on ``device``. The config is kept as
    ``model.cfg`` (its test pipeline is used by :func:`inference_model`).

    Args:
        config (str | Path | Config): Config file or object.
        checkpoint (str, optional): Checkpoint path. Without one the model
            keeps its random initialisation (for tests and timing).
        device (str): Device. Defaults to ``'cpu'``.
        cfg_options (dict, optional): Options merged into the config (every
            key must exist, as for the tools' ``--cfg-options``).
        fast (bool): Fold BatchNorm into the convolutions and store weights
            ``channels_last`` (:func:`prepare_fast_inference`); outputs are
            unchanged up to float rounding. Defaults to True.

    Returns:
        nn.Module: The model in eval mode.
    """
    if isinstance(config, (str, Path)):
        cfg = load_config(str(config), cfg_options)
    elif isinstance(config, Config):
        cfg = copy.deepcopy(config)
        check_cfg_options(cfg, cfg_options)
        if cfg_options:
            cfg.merge_from_dict(
                {k.lstrip('+'): v
                 for k, v in cfg_options.items()})
    else:
        raise TypeError('config must be a file path or a Config, got '
                        f'{type(config).__name__}')
    # register mmrsod's models and transforms even when the config does not
    # import them (mmrsod configs do, through ``custom_imports``)
    import mmrsod.datasets  # noqa: F401
    import mmrsod.models  # noqa: F401
    cfg.model.pretrained = None
    cfg.model.train_cfg = None
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    from mmengine.registry import MODELS
    model = MODELS.build(cfg.model)
    if checkpoint is not None:
        if not osp.isfile(checkpoint):
            raise InputError(f'checkpoint not found: {checkpoint}')
        register_checkpoint_loaders()
        ckpt = load_checkpoint(model, checkpoint, map_location='cpu')
        meta = ckpt.get('meta', {}) if isinstance(ckpt, dict) else {}
        if 'dataset_meta' in meta:
            model.dataset_meta = meta['dataset_meta']
    if hasattr(model, 'strip_auxiliary'):
        model.strip_auxiliary()
    model.cfg = cfg
    model = model.to(device).eval()
    if fast:
        prepare_fast_inference(model)
    return model


def to_bgr_uint8(img: np.ndarray, name: str = 'array') -> np.ndarray:
    """Convert an image array to 3-channel BGR ``uint8`` (module rules).

    Args:
        img (np.ndarray): (H, W), (H, W, 1), (H, W, 3) BGR or (H, W, 4) BGRA,
            ``uint8`` or ``uint16``.
        name (str): How errors name the input.

    Returns:
        np.ndarray: (H, W, 3) ``uint8``, C-contiguous.
    """
    if not isinstance(img, np.ndarray):
        raise InputError(f'{name}: expected a numpy array, got '
                         f'{type(img).__name__}')
    if img.dtype == np.uint16:
        img = (img >> 8).astype(np.uint8)
    elif img.dtype != np.uint8:
        raise InputError(f'{name}: unsupported dtype {img.dtype}; give a '
                         'uint8 or uint16 image')
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[..., 0]
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=2)
    elif img.ndim == 3 and img.shape[2] == 4:
        img = img[..., :3]
    elif not (img.ndim == 3 and img.shape[2] == 3):
        raise InputError(f'{name}: unsupported image shape {img.shape}; '
                         'give (H, W), (H, W, 1), (H, W, 3) or (H, W, 4)')
    if min(img.shape[:2]) < 1:
        raise InputError(f'{name}: empty image of shape {img.shape}')
    return np.ascontiguousarray(img)


def load_image(path: Union[str, Path]) -> np.ndarray:
    """Read an image file as the test pipeline's ``LoadImageFromFile``.

    Args:
        path (str | Path): Image file.

    Returns:
        np.ndarray: (H, W, 3) BGR ``uint8``.

    Raises:
        InputError: if the file is missing or cannot be decoded.
    """
    path = str(path)
    if not osp.isfile(path):
        raise InputError(f'image not found: {path}')
    img = mmcv.imfrombytes(get_bytes(path), flag='color', backend='cv2')
    if img is None:
        raise InputError(f'cannot decode image {path} (not an image or an '
                         'unsupported format)')
    return to_bgr_uint8(img, path)


def collect_images(folder: Union[str, Path]) -> List[str]:
    """The image files directly inside ``folder``, sorted by name.

    Args:
        folder (str | Path): A directory (not searched recursively).

    Returns:
        list[str]: Paths with a suffix in :data:`IMAGE_EXTENSIONS`
        (case-insensitive); hidden files are skipped.

    Raises:
        InputError: if there is no such image.
    """
    folder = str(folder)
    paths = [
        osp.join(folder, name) for name in sorted(os.listdir(folder))
        if not name.startswith('.') and osp.splitext(name)[1].lower() in
        IMAGE_EXTENSIONS and osp.isfile(osp.join(folder, name))
    ]
    if not paths:
        raise InputError(f'no image in folder {folder} (looked for '
                         f'{", ".join(IMAGE_EXTENSIONS)})')
    return paths


def _test_pipeline(cfg: Config) -> Compose:
    """The config's test pipeline without its loading steps."""
    dataloader = cfg.get('test_dataloader', None)
    if dataloader is None:
        raise InputError('the config has no test_dataloader (its pipeline '
                         'defines the inference preprocessing)')
    dataset = dataloader['dataset']
    while 'pipeline' not in dataset and 'dataset' in dataset:
        dataset = dataset['dataset']  # wrappers
    pipeline = [
        t for t in dataset['pipeline']
        if str(t['type']).split('.')[-1] not in _LOADERS
    ]
    return Compose(pipeline)


def _as_list(inputs) -> tuple:
    """(list of inputs, whether a single input was given)."""
    if isinstance(inputs, (str, Path)):
        if osp.isdir(str(inputs)):
            return collect_images(inputs), False
        return [str(inputs)], True
    if isinstance(inputs, np.ndarray):
        return [inputs], True
    if isinstance(inputs, Sequence):
        if len(inputs) == 0:
            raise InputError('inference_model: empty list of images')
        return [str(x) if isinstance(x, Path) else x for x in inputs], False
    raise InputError('inference_model: give an image path, a folder, a numpy '
                     f'array or a list of them, got {type(inputs).__name__}')


def inference_model(
    model: nn.Module,
    imgs: Union[ImageInput, Sequence[ImageInput]],
    batch_size: int = 1,
    show_progress: Optional[bool] = None
) -> Union[np.ndarray, List[np.ndarray]]:
    """Saliency probabilities of images at their own size.

    Args:
        model (nn.Module): A model from :func:`init_model` (with ``cfg``).
        imgs (str | Path | np.ndarray | list): An image file, a folder
            (its images, see :func:`collect_images`), an array or a list of
            files/arrays; conversion rules in the module docstring.
        batch_size (int): Images per forward. Defaults to 1.
        show_progress (bool, optional): Show a progress bar (on stderr);
            by default when more than one image is given.

    Returns:
        np.ndarray | list[np.ndarray]: For a single image, a float32
        (H, W) array of probabilities in [0, 1], (H, W) being the image's
        size; for a folder or a list, a list of them in input order
        (a folder's: sorted by file name).
    """
    cfg = getattr(model, 'cfg', None)
    if cfg is None:
        raise ValueError('inference_model needs a model from init_model() '
                         '(it reads the test pipeline from model.cfg)')
    if batch_size < 1:
        raise ValueError(f'batch_size must be >= 1, got {batch_size}')
    items, single = _as_list(imgs)
    pipeline = _test_pipeline(cfg)
    progress = (
        ProgressBar(len(items), file=sys.stderr) if
        (show_progress if show_progress is not None else len(items) > 1) else
        None)
    results: List[np.ndarray] = []
    for start in range(0, len(items), batch_size):
        batch = []
        for idx, item in enumerate(items[start:start + batch_size]):
            if isinstance(item, str):
                img, path = load_image(item), item
            else:
                img = to_bgr_uint8(item, f'array #{start + idx}')
                path = None
            batch.append(
                pipeline(
                    dict(
                        img=img,
                        img_path=path,
                        ori_shape=img.shape[:2],
                        img_shape=img.shape[:2])))
        with torch.inference_mode():
            samples = model.test_step(pseudo_collate(batch))
        for sample in samples:
            prob = sample.seg_logits.data
            if prob.shape[0] != 1:
                raise ValueError('inference_model expects a one-channel '
                                 'saliency output (out_channels=1), got '
                                 f'{prob.shape[0]} channels')
            results.append(prob[0].float().cpu().numpy())
            if progress is not None:
                progress.update()
    if progress is not None:
        sys.stderr.write('\n')
    return results[0] if single else results

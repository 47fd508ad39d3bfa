# Copyright (c) mmrsod contributors. All rights reserved.
"""Config loading with errors that name the file or the key."""
import os.path as osp
from typing import Any, Dict, Optional

from mmengine.config import Config, ConfigDict

from .errors import ConfigError

__all__ = ['load_config', 'check_cfg_options']


def _has_key(node: Any, key: str) -> bool:
    """Whether ``node`` (a dict or a list) has ``key`` (an index for lists)."""
    if isinstance(node, (dict, ConfigDict)):
        return key in node
    if isinstance(node, (list, tuple)):
        return key.isdigit() and int(key) < len(node)
    return False


def _child(node: Any, key: str) -> Any:
    if isinstance(node, (list, tuple)):
        return node[int(key)]
    return node[key]


def check_cfg_options(cfg: Config, options: Optional[Dict[str, Any]]) -> None:
    """Check that every ``--cfg-options`` key exists in ``cfg``.

    mmengine silently adds unknown keys, so a typo such as
    ``train_cfg.max_iter=10`` (for ``max_iters``) would train with the
    default. A key is accepted when each dotted part exists. A key written
    with a leading ``+`` (``+randomness.deterministic=True``) deliberately
    adds its last part; everything above it must exist.

    Args:
        cfg (Config): The loaded config.
        options (dict, optional): Parsed ``--cfg-options``.

    Raises:
        ConfigError: naming the first unknown key and the nearest existing
            parent.
    """
    for full_key in (options or {}):
        node: Any = cfg._cfg_dict
        adding = full_key.startswith('+')
        parts = full_key.lstrip('+').split('.')
        for depth, part in enumerate(parts):
            if adding and depth == len(parts) - 1:
                if not isinstance(node, (dict, ConfigDict)):
                    raise ConfigError(
                        f'--cfg-options key "{full_key}": cannot add '
                        f'"{part}" below a non-dict value')
                break
            if not _has_key(node, part):
                parent = '.'.join(parts[:depth]) or '<top level>'
                if isinstance(node, (dict, ConfigDict)):
                    known = ', '.join(sorted(map(str, node.keys()))[:12])
                    hint = f' (keys there: {known})' if known else ''
                else:
                    hint = ''
                if adding:
                    # '+' adds only the last part: a missing parent is
                    # more likely a typo than a wish for a new dict
                    advice = (f'a leading "+" adds only the last part, so '
                              f'"{part}" must exist; add it in the config '
                              'file')
                else:
                    advice = (f'write "+{full_key}=..." to add a new key')
                raise ConfigError(
                    f'--cfg-options key "{full_key}" does not exist in the '
                    f'config: "{part}" is not in {parent}{hint}; {advice}')
            node = _child(node, part)


def load_config(path: str,
                cfg_options: Optional[Dict[str, Any]] = None) -> Config:
    """Load ``path`` and merge ``cfg_options`` after checking every key.

    Args:
        path (str): Config file.
        cfg_options (dict, optional): ``--cfg-options`` as parsed by
            :class:`mmengine.config.DictAction`.

    Returns:
        Config: The merged config.

    Raises:
        ConfigError: if the file does not exist, cannot be parsed, or an
            option key does not exist.
    """
    if not osp.isfile(path):
        raise ConfigError(f'config file not found: {path}')
    try:
        cfg = Config.fromfile(path)
    except Exception as err:  # syntax errors, missing _base_ files, ...
        msg = str(err).strip().splitlines()
        raise ConfigError(
            f'cannot load config {path}: '
            f'{type(err).__name__}: {msg[-1] if msg else ""}') from err
    check_cfg_options(cfg, cfg_options)
    if cfg_options:
        cfg.merge_from_dict(
            {key.lstrip('+'): value
             for key, value in cfg_options.items()})
    return cfg

# Copyright (c) mmrsod contributors. All rights reserved.
"""Command-line argument helpers shared by the tools."""
from argparse import ArgumentParser, Namespace
from typing import Any, List, Optional, Sequence, Union

from mmengine.config import DictAction

__all__ = ['SpaceKeepingDictAction', 'parse_cfg_value']


def _split_top_level(text: str) -> List[str]:
    """Split ``text`` at the commas outside ``()`` and ``[]``."""
    parts, depth, start = [], 0, 0
    for idx, char in enumerate(text):
        if char in '([':
            depth += 1
        elif char in ')]':
            depth -= 1
        elif char == ',' and depth == 0:
            parts.append(text[start:idx])
            start = idx + 1
    parts.append(text[start:])
    return parts


def parse_cfg_value(text: str) -> Any:
    """Parse one ``--cfg-options`` value like mmengine, keeping spaces.

    mmengine's :class:`~mmengine.config.DictAction` removes every space of
    a value, so ``data_root=/data/my sets/ORSSD`` becomes
    ``/data/mysets/ORSSD``. Here only the spaces around the value and
    around list/tuple elements are dropped; the rest is as in mmengine:
    surrounding quotes are removed, ``[a, b]``/``a,b`` give a list,
    ``(a, b)`` a tuple (nested brackets allowed), and numbers,
    ``True``/``False``/``None`` are converted.

    Args:
        text (str): The value after ``KEY=``.

    Returns:
        Any: int, float, bool, None, str, or a (nested) list/tuple of them.

    Raises:
        ValueError: If the brackets are not balanced.
    """
    val = text.strip().strip('\'"').strip()
    if val.count('(') != val.count(')') or val.count('[') != val.count(']'):
        raise ValueError(
            f'unbalanced brackets in --cfg-options value {text!r}')
    is_tuple = val.startswith('(') and val.endswith(')')
    if is_tuple or (val.startswith('[') and val.endswith(']')):
        inner = val[1:-1].strip()
        items = [] if not inner else [
            parse_cfg_value(item) for item in _split_top_level(inner)
            if item.strip()
        ]
        return tuple(items) if is_tuple else items
    if ',' in val:
        return [parse_cfg_value(item) for item in _split_top_level(val)]
    return DictAction._parse_int_float_bool(val)


class SpaceKeepingDictAction(DictAction):
    """``--cfg-options KEY=VALUE ...`` that keeps spaces inside values.

    Same syntax as :class:`mmengine.config.DictAction` (see
    :func:`parse_cfg_value`), except that ``data_root='/data/my sets'``
    keeps its space. A word without ``=`` (a value with spaces that was
    not quoted in the shell) is a one-line parser error saying to quote it.
    """

    def __call__(self,
                 parser: ArgumentParser,
                 namespace: Namespace,
                 values: Union[str, Sequence[Any], None],
                 option_string: Optional[str] = None) -> None:
        """Parse ``KEY=VALUE`` words into a dict on ``namespace``."""
        options = dict(getattr(namespace, self.dest, None) or {})
        for item in values or []:
            if '=' not in item:
                parser.error(
                    f'{option_string}: {item!r} is not KEY=VALUE (quote a '
                    "value with spaces: key='/data/my sets')")
            key, val = item.split('=', maxsplit=1)
            try:
                options[key] = parse_cfg_value(val)
            except ValueError as err:
                parser.error(f'{option_string}: {err}')
        setattr(namespace, self.dest, options)

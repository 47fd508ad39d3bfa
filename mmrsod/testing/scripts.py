# Copyright (c) mmrsod contributors. All rights reserved.
"""Import a command-line script of ``tools/`` as a module."""
import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Optional, Union

__all__ = ['load_script']


def load_script(path: Union[str, Path],
                name: Optional[str] = None) -> ModuleType:
    """Import a script that is not part of a package (``tools/*.py``).

    Tests call the tools' ``main(argv)`` in-process this way, which is much
    faster than a subprocess and lets them patch the tool's globals.

    Args:
        path (str | Path): The script file.
        name (str, optional): Module name to give it. Defaults to the file
            stem.

    Returns:
        ModuleType: The executed module (not added to ``sys.modules``).

    Raises:
        FileNotFoundError: If ``path`` is not a file.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f'load_script: no script at {path}')
    spec = importlib.util.spec_from_file_location(name or path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

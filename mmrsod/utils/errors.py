# Copyright (c) mmrsod contributors. All rights reserved.
"""Exceptions for bad user input, reported by the tools as one line."""

__all__ = ['InputError', 'ConfigError', 'SODDataError']


class InputError(ValueError):
    """Bad user input: a path, a file or a config entry.

    The message must name the offending file, folder or config key. The
    command-line tools print it as one line (no traceback) and exit with
    status 2.
    """


class ConfigError(InputError):
    """A config file or a ``--cfg-options`` entry is wrong."""


class SODDataError(InputError):
    """A salient object detection data set or one of its files is bad."""

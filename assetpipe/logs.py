"""The build's loggers, without importing ``logging`` until a record is to be handled.

``logging`` (with the ``traceback``, ``textwrap`` and ``string`` it imports) is ~4 ms of a
process, a few percent of a one-template edit's ``assetpipe build``, which logs nothing but
debug records its level drops. ``logger(name)`` returns a ``Logger`` with the methods the build
uses; a call imports ``logging`` and passes the record to ``logging.getLogger(name)`` when the
record could be handled:

- always, once ``logging`` is imported (by anyone: an application, a test runner, Pillow), so
  whatever configuration it has decides, as it would for a plain logger;
- before that, when its level is at least the threshold: ``WARNING`` by default (where Python's
  last-resort handler prints records of a logger nobody configured), or the level the CLI
  ``configure``\\ d.

``configure(level, install)``: the CLI's level, and how it installs its handler; ``install``
runs once, before the first record is passed on (or at once when ``logging`` is imported).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

DEBUG, INFO, WARNING, ERROR = 10, 20, 30, 40

_threshold = WARNING
_install: Callable[[], None] | None = None


def configure(level: int, install: Callable[[], None]) -> None:
    """Records below ``level`` are dropped while ``logging`` is not imported; ``install``
    (setting up the handlers) runs before the first record is handled."""
    global _threshold, _install
    _threshold, _install = level, install
    if "logging" in sys.modules:
        _installed()


def _installed() -> Any:
    global _install
    import logging

    pending, _install = _install, None
    if pending is not None:
        pending()
    return logging


class Logger:
    """The ``logging.Logger`` methods the build calls, passed on as the module docstring says."""

    def __init__(self, name: str) -> None:
        self.name = name

    def log(self, level: int, msg: str, *args: Any, **kwargs: Any) -> None:
        self._emit(level, msg, args, kwargs)

    def debug(self, msg: str, *args: Any, **kwargs: Any) -> None:
        self._emit(DEBUG, msg, args, kwargs)

    def info(self, msg: str, *args: Any, **kwargs: Any) -> None:
        self._emit(INFO, msg, args, kwargs)

    def warning(self, msg: str, *args: Any, **kwargs: Any) -> None:
        self._emit(WARNING, msg, args, kwargs)

    def error(self, msg: str, *args: Any, **kwargs: Any) -> None:
        self._emit(ERROR, msg, args, kwargs)

    def exception(self, msg: str, *args: Any, **kwargs: Any) -> None:
        """An error with the exception being handled (``exc_info`` unless given)."""
        kwargs.setdefault("exc_info", True)
        self._emit(ERROR, msg, args, kwargs)

    def _emit(self, level: int, msg: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        if level < _threshold and "logging" not in sys.modules:
            return
        # the record names the caller of the method above, not this module
        kwargs["stacklevel"] = kwargs.get("stacklevel", 1) + 2
        _installed().getLogger(self.name).log(level, msg, *args, **kwargs)


def logger(name: str) -> Logger:
    """The logger ``name`` (``assetpipe``, ``assetpipe.serve``...), as the module docstring
    says."""
    return Logger(name)

"""The Jinja2 environments of this process, found without walking every object after each build.

``watch --app`` empties, after each build, the cache of every Jinja2 environment that does not
check its templates' times (``auto_reload`` off: Trac's, by default), or the app would keep
rendering the templates the build replaced. Finding them by a pass over the garbage
collector's objects cost ~0.35 s per million objects at every save: a large app (SQLAlchemy
models, a Django project's URL resolvers and translations) holds millions, which would take
the save-to-reload time past what ``watch`` promises. Here the collector is walked once, at
the first call; from then on, every environment made later registers itself (a wrapper
around ``Environment.__init__`` and ``overlay``, the two ways Jinja2 makes one), so a later
call looks only at the environments still alive.
"""

from __future__ import annotations

import functools
import gc
import sys
import threading
import weakref
from collections.abc import Callable
from typing import Any

_lock = threading.Lock()
_known: weakref.WeakSet[Any] | None = None


def environments() -> list[Any]:
    """The live Jinja2 environments of this process (none when Jinja2 is not imported)."""
    global _known
    if "jinja2" not in sys.modules:
        return []
    with _lock:
        if _known is None:
            from jinja2 import Environment

            known: weakref.WeakSet[Any] = weakref.WeakSet()
            _register_new(Environment, known)
            # the type, not isinstance(): that reads ``__class__``, which makes a lazy proxy
            # (Django's ``settings`` before it is configured) set itself up, and fail
            known.update(o for o in gc.get_objects() if issubclass(type(o), Environment))
            _known = known
        return list(_known)


def _register_new(environment: type, known: weakref.WeakSet[Any]) -> None:
    """Make every environment created from now on join ``known``."""
    init: Callable[..., None] = environment.__init__  # type: ignore[misc]
    overlay: Callable[..., Any] = environment.overlay  # type: ignore[attr-defined]

    @functools.wraps(init)
    def registering_init(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        known.add(self)

    @functools.wraps(overlay)
    def registering_overlay(self: Any, *args: Any, **kwargs: Any) -> Any:
        made = overlay(self, *args, **kwargs)
        known.add(made)
        return made

    environment.__init__ = registering_init  # type: ignore[misc]
    environment.overlay = registering_overlay  # type: ignore[attr-defined]


def forget_compiled() -> None:
    """Empty the template cache of every environment that does not reload changed templates
    by itself (``auto_reload`` off)."""
    for env in environments():
        if not env.auto_reload and env.cache is not None:
            env.cache.clear()

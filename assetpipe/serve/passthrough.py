"""Middleware that stays out of the way of the app it wraps.

An app may read attributes off its own WSGI callable after an extension wrapped it: calibre-web
reads ``app.wsgi_app.script_name`` (set by its own reverse-proxy wrapper) on every request, and
every page answered 500 once ``AssetPipe(app)`` had put its layers on top. A ``Passthrough``
layer answers an attribute it does not have from the callable it wraps, and so on down, as if
it were not there. Every WSGI and ASGI middleware of ``assetpipe.serve`` and the Flask
extension's layers are ``Passthrough``.
"""

from __future__ import annotations

from typing import Any, ClassVar


class Passthrough:
    """Mixin: attributes this object lacks are looked up on the callable it wraps, the one held
    in the attribute ``_wrapped`` names (``"app"`` by default)."""

    _wrapped: ClassVar[str] = "app"

    def __getattr__(self, name: str) -> Any:
        # only called when normal lookup failed; read the inner callable without recursing
        # (it is not set yet while __init__ runs)
        inner = self.__dict__.get(type(self)._wrapped)
        if inner is None or name.startswith("__"):
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return getattr(inner, name)

"""The ``Cache-Control`` a Flask app sends for a file of its static folder, which the build's
unhashed names and source paths keep after adoption, and the security headers its hooks add
to every file, which all files keep (used by ``assetpipe.flask.AssetPipe``).

Flask's static route sends ``send_file``'s header (``app.get_send_file_max_age``,
``SEND_FILE_MAX_AGE_DEFAULT``), and then the app's ``after_request`` hooks may change it: Whoogle's
sets ``Cache-Control: max-age=86400`` on every response, its own content-hashed
``static/build/main.68be5054.css`` included. Files the middleware answers never reach those
hooks, so the header they would have set is asked of them here, on a response of the static
route's URL made in process (``static_cache_control``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from .flasknames import is_quart
from .serve.holder import url_prefix

log = logging.getLogger("assetpipe")


def send_file_cache_control(app: Any) -> str:
    """The ``Cache-Control`` Flask's ``send_file`` gives a static file: ``no-cache`` by
    default, ``public, max-age=N`` for a positive N. pgAdmin sets a year and loads its webpack
    chunks and RequireJS modules by their unhashed URLs; answered ``no-cache``, a warm visit
    revalidated each one it had cached before adoption."""
    get = getattr(app, "get_send_file_max_age", None)
    max_age: Any
    try:
        with app.app_context():  # Flask reads ``current_app.config``
            max_age = get(None) if get is not None else None
    except Exception:  # an override that needs a real file name: the setting itself then
        max_age = app.config.get("SEND_FILE_MAX_AGE_DEFAULT")
    if isinstance(max_age, timedelta):  # as set (Flask 1.x returned it so)
        max_age = max_age.total_seconds()
    if max_age is None:
        return "no-cache"
    seconds = int(max_age)
    return f"public, max-age={seconds}" if seconds > 0 else "no-cache, max-age=0"


#: headers an app's ``after_request`` hooks set on every response that say nothing about the
#: file itself (Flask-Talisman's, Superset's default), kept on the files the middleware answers
SECURITY_HEADERS = (
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Content-Security-Policy",
    "Content-Security-Policy-Report-Only",
    "Referrer-Policy",
    "Permissions-Policy",
    "Feature-Policy",
    "Document-Policy",
    "Strict-Transport-Security",
    "Cross-Origin-Opener-Policy",
    "Cross-Origin-Embedder-Policy",
    "Cross-Origin-Resource-Policy",
    "X-Permitted-Cross-Domain-Policies",
)


def _hooked(app: Any, public_path: str | None, name: str, sent: str) -> Any:
    """A bare response for ``public_path + name`` with ``Cache-Control: sent``, passed through
    the app's ``after_request`` hooks, or ``None`` (no ``public_path``, no hooks, Quart, or a
    hook that fails outside a real request: it reads what a ``before_request`` hook sets)."""
    hooks = getattr(app, "after_request_funcs", None) or {}
    if public_path is None or not any(hooks.values()) or is_quart(app):
        return None
    try:
        with app.test_request_context(url_prefix(public_path) + name.lstrip("/")):
            response = app.response_class(b"")
            response.headers["Cache-Control"] = sent
            # the app's hooks only, in Flask's order (the static route is in no blueprint),
            # not ``process_response``: that also saves the session, and a server-side session
            # store (Flask-Session) would get a session made for no visitor
            for hook in reversed(hooks.get(None, ())):
                response = hook(response)
    except Exception as exc:
        log.debug("assetpipe: the app's after_request hooks failed on a static URL: %r", exc)
        return None
    return response


def static_cache_control(app: Any, public_path: str | None = None, name: str = "") -> str:
    """The ``Cache-Control`` a file of the static folder got before adoption:
    ``send_file_cache_control``, then, with ``public_path`` given and the app having
    ``after_request`` hooks, what they make of it on a response for ``public_path + name``
    (``""``: they remove it; no session is saved). A hook that fails outside a real request
    leaves ``send_file``'s header. Not for Quart (its request context is async): ``send_file``'s
    header there (``_hooked``)."""
    sent = send_file_cache_control(app)
    return _cache_control(sent, _hooked(app, public_path, name, sent))


def _cache_control(sent: str, response: Any) -> str:
    """The ``Cache-Control`` the hooks left on ``response`` (``sent`` when none ran)."""
    return sent if response is None else str(response.headers.get("Cache-Control", ""))


class StaticHooks:
    """The app's ``after_request`` hooks asked about a file of its static folder (``_hooked``),
    for what the middleware takes from them: the unhashed names' ``Cache-Control``
    (``cache_control``, asked when the middleware is made and again at its first request, when
    the app has registered all its hooks) and the ``SECURITY_HEADERS`` to keep
    (``security_headers``, at the first request). ``security_headers`` keeps its answer for the
    next ``cache_control``, which the middleware asks right after it: the hooks run once at the
    first request (asked apart, they ran twice). ``name()`` gives the file, asked each time."""

    def __init__(self, app: Any, public_path: str, name: Callable[[], str]) -> None:
        self.app = app
        self.public_path = public_path
        self.name = name
        #: the last ``security_headers``' hooked response and what it was sent with, for the
        #: next ``cache_control``
        self._kept: tuple[str, Any] | None = None

    def _hooks(self) -> tuple[str, Any]:
        sent = send_file_cache_control(self.app)
        return sent, _hooked(self.app, self.public_path, self.name(), sent)

    def cache_control(self) -> str:
        """The ``Cache-Control`` of the build's unhashed names under ``AssetPipe(app)``:
        ``no-cache`` while the app is in debug (a save under ``assetpipe watch`` changes the file
        behind the same name, and the reload it triggers must fetch it: Whoogle's
        ``max-age=86400`` kept the old script), else what the static route sent before adoption
        (``static_cache_control``)."""
        kept, self._kept = self._kept, None
        if getattr(self.app, "debug", False):
            return "no-cache"
        return _cache_control(*(kept or self._hooks()))

    def security_headers(self) -> list[tuple[str, str]]:
        """The ``SECURITY_HEADERS`` the app's hooks put on a file of its static folder.
        Superset's Flask-Talisman sends ``X-Content-Type-Options: nosniff``,
        ``X-Frame-Options``, a ``Content-Security-Policy`` and more with every file; the files
        the middleware answered carried none of them. Made once, outside a real request: a CSP
        nonce a ``before_request`` hook would make is not in it (no static file uses one), and
        ``Strict-Transport-Security``, which Talisman sets on HTTPS requests only, is not either
        (browsers take it from the pages)."""
        self._kept = self._hooks()
        response = self._kept[1]
        if response is None:
            return []
        return [(k, str(response.headers[k])) for k in SECURITY_HEADERS if k in response.headers]

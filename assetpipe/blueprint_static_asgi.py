"""``ASGIBlueprintStatic``: ``BlueprintStatic`` in front of a Quart app's ``asgi_app``.

A Flask extension used from Quart (Flask-Bootstrap through ``quart_flask_patch``, a blueprint of
the app's own with a ``static_folder``) ships its files in a blueprint static folder, which the
build cannot see: the same naming (``url_for`` gives the hashed name) and the same answers
(``immutable``, compressed, ETag/304) as under Flask, made by ``hashed_folders_asgi.ASGIFolders``.
"""

from __future__ import annotations

from typing import Any

from .blueprint_static import BlueprintStatic
from .hashed_folders_asgi import ASGIApp, ASGIFolders


class ASGIBlueprintStatic(ASGIFolders):
    """The ASGI twin of ``BlueprintStatic`` (its naming is installed on ``app`` as there)."""

    static: BlueprintStatic

    def __init__(self, asgi_app: ASGIApp, app: Any) -> None:
        super().__init__(asgi_app, BlueprintStatic(_no_wsgi, app))


def _no_wsgi(environ: Any, start_response: Any) -> Any:  # pragma: no cover - never called
    raise RuntimeError("ASGIBlueprintStatic answers through respond() only")

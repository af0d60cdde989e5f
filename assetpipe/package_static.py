"""An installed package's ``StaticFiles`` mount under Starlette/FastAPI, hashed while it runs.

starlette-admin mounts ``StaticFiles(packages=["starlette_admin"])`` (Tabler, jQuery, select2,
flatpickr, Font Awesome: ~1 MB) at ``/statics`` inside its own sub-app and its templates name the
files with ``url_for(__name__ ~ ':statics', path=...)``: a route name computed at run time, in
templates that live in site-packages, which the build never reads. The files were served as
``StaticFiles`` serves them: no ``Cache-Control``, no hash, compressed on each request.
``PackageStatic`` does for such a mount what ``blueprint_static`` does for a Flask extension's
blueprint folder (both are ``hashed_folders.HashedFolders``):

- **which mounts**: every ``StaticFiles`` (or subclass) mounted in the app, in sub-apps and
  routers too (``static_mounts``), whose folders are an installed package's: those of its
  ``packages=[...]``, and its ``directory=`` when that lies in a site-packages folder
  (``installed``). The mount the build is served at (the app's own static folder) is the
  build's, and a mount whose path has parameters is left alone;
- **names**: the mount's ``url_path_for`` (what ``request.url_for`` and the templates'
  ``url_for`` reach, through every enclosing ``Mount``, whatever expression computed the name)
  answers a ``path`` naming a file of such a folder with its hashed name, as ``StaticFiles``
  would find it: the first of the mount's folders holding it (a ``directory=`` of the project
  before the package's, starlette-admin's ``statics_dir``, keeps its file's name);
- **serves** those hashed URLs in front of the app (``hashed_folders_asgi.ASGIFolders``):
  ``immutable``, brotli/zstd/gzip at their highest levels, ETag/304; the unhashed URLs are still
  the mount's.
"""

from __future__ import annotations

import os
import site
import sysconfig
from collections.abc import Iterable
from typing import Any

from .adopt.selflocate import template_texts
from .hashed_folders import HashedFolders

__all__ = ["PackageStatic", "installed", "static_mounts"]


def static_mounts(app: Any, prefix: str = "") -> list[tuple[str, Any, Any]]:
    """(URL prefix with a trailing slash, the ``Mount``, its ``StaticFiles``) for every
    ``StaticFiles`` (or subclass) mounted in ``app``, in its sub-apps' and routers' mounts too."""
    from starlette.staticfiles import StaticFiles

    found: list[tuple[str, Any, Any]] = []
    for route in getattr(app, "routes", ()):
        if not hasattr(route, "app"):
            continue  # a Route, a WebSocketRoute
        path = prefix + str(getattr(route, "path", "")).rstrip("/")
        files = getattr(route, "_base_app", route.app)
        if isinstance(files, StaticFiles):
            found.append((path + "/", route, files))
        else:
            found += static_mounts(route, path)  # a Mount's routes: its app's or router's
    return found


def _site_folders() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    folders = [paths.get("purelib", ""), paths.get("platlib", "")]
    folders += [*getattr(site, "getsitepackages", list)(), site.getusersitepackages()]
    return tuple({os.path.realpath(f) + os.sep for f in folders if f})


def installed(folder: str) -> bool:
    """Whether ``folder`` lies in a site-packages (or Debian's dist-packages) folder."""
    real = os.path.realpath(folder)
    parts = real.split(os.sep)
    return "site-packages" in parts or "dist-packages" in parts or real.startswith(_site_folders())


def _package_folders(files: Any) -> list[tuple[str, bool]]:
    """(real folder, whether it is an installed package's) for each folder of the
    ``StaticFiles`` ``files``, in the order it looks a file up."""
    directory = getattr(files, "directory", None)
    from_packages = [
        os.path.realpath(d) for d in files.get_directories(None, getattr(files, "packages", None))
    ]
    return [
        (os.path.realpath(d), os.path.realpath(d) in from_packages or installed(str(d)))
        for d in getattr(files, "all_directories", [directory] if directory else [])
    ]


class PackageStatic(HashedFolders):
    """Hashes the files of an app's installed-package ``StaticFiles`` mounts (see the module
    doc): made once the app has its routes; ``skip``: the URL prefix the build is served at;
    ``envs``: the app's Jinja environments, searched for the scripts its pages name."""

    def __init__(
        self, app: Any, skip: str = "", envs: Iterable[Any] = (), memory_limit: int = 64 << 20
    ) -> None:
        super().__init__(memory_limit)
        self._envs = list(envs)
        self._text: str | None = None
        self._lookup: dict[str, list[tuple[str, bool]]] = {}  # prefix -> its folders
        for prefix, route, files in static_mounts(app):
            folders = _package_folders(files)
            if prefix == skip or "{" in prefix or not any(ok for _, ok in folders):
                continue
            self._lookup[prefix] = folders
            for i, (folder, ok) in enumerate(folders):
                if ok:
                    self._folders[f"{prefix}#{i}"] = (prefix, folder)
            self._name_through(route, prefix)

    def template_text(self) -> str:
        """The sources of the templates of ``envs``, read once."""
        if self._text is None:
            self._text = "\n".join(template_texts(e) for e in self._envs)
        return self._text

    def named_path(self, prefix: str, path: str) -> str:
        """``path`` (the mount's ``path`` parameter) with its hashed name when the folder
        ``StaticFiles`` would answer it from is an installed package's, else as it was."""
        rel = path.lstrip("/")
        for folder, ok in self._lookup.get(prefix, ()):
            full = os.path.realpath(os.path.join(folder, rel))
            if not full.startswith(folder + os.sep) or not os.path.exists(full):
                continue
            named = self.named(folder, rel) if ok else None
            return path if named is None else named
        return path

    def _name_through(self, route: Any, prefix: str) -> None:
        """Make ``route`` (a ``Mount``) name a file by its hashed name (``named_path``)."""
        original = route.url_path_for

        def url_path_for(name: str, /, **params: Any) -> Any:
            path = params.get("path")
            if name == route.name and isinstance(path, str):
                params["path"] = self.named_path(prefix, path)
            return original(name, **params)

        route.url_path_for = url_path_for

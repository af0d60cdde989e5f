"""The static folders of a Flask app's blueprints, hashed and compressed while the app runs.

A Flask extension ships its files in its own blueprint's static folder (Flask-Admin's
``admin.static`` under ``/admin/static/``, Flask-Bootstrap's ``bootstrap.static`` under
``/static/bootstrap/``) and its own templates name them with
``url_for('<blueprint>.static', filename=F)``. Those templates and folders live in the
installed package, outside the project the build reads, so the build cannot see them; the app
can. ``BlueprintStatic``:

- **names**: ``url_for`` (Flask's, and the Jinja global) answers a ``<blueprint>.static``
  endpoint whose ``filename`` exists in that blueprint's static folder with the content-hashed
  name (``css/bootstrap.min-HASH.css``, the build's ``name-HASH.ext``; the hash is computed once
  per file version, memoised on size and mtime), except a script that finds its own files from
  its name (CKEditor's ``ckeditor.js`` beside its ``plugins/``: ``adopt.selflocate.locates_itself``);
- **serves** those hashed URLs itself, in front of the app: ``Cache-Control: public,
  max-age=31536000, immutable``, a strong ETag, and for text types (CSS, JS, SVG, JSON, ...)
  brotli, zstd or gzip at their highest levels, compressed once on the first request and kept
  in memory (``memory_limit`` bytes in all; beyond it, sent as they are). A hashed URL whose
  hash is not the file's current one is left to the app (a 404: never another version's bytes
  under an immutable name).

The unhashed URLs keep answering through the blueprint's own route, as before. Blueprints
mounted on a subdomain or host are left alone, and so is the app's own ``static`` endpoint (the
build handles it).
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from .adopt.selflocate import locates_itself
from .hashing import HASHED_NAME, hashed_name, short_hash
from .serve.compress import Policy, compress_all
from .serve.files import IMMUTABLE, content_type
from .serve.negotiate import choose

_RULE = re.compile(r"^(/[^<>]*)<(?:path:)?filename>$")
ENCODINGS = ("br", "zstd", "gzip")


@dataclass
class _Version:
    """One version of one file: its hash and the bodies sent for it (by coding)."""

    stamp: tuple[int, int]  # (size, mtime_ns)
    digest: str  # SHA-256, hex
    short: str  # the hashed name's 8 characters
    etag: str
    bodies: dict[str, bytes]  # "identity" and the compressed codings, when kept in memory


class BlueprintStatic:
    """WSGI layer and ``url_for`` wrapper for one Flask app (see the module doc)."""

    def __init__(
        self, wsgi: Callable[..., Iterable[bytes]], app: Any, memory_limit: int = 64 << 20
    ):
        self.wsgi, self.app, self.memory_limit = wsgi, app, memory_limit
        self.policy = Policy(brotli_quality=11, gzip_level=9, zstd_level=19, minimum_size=256)
        self._folders: dict[str, tuple[str, str]] = {}  # endpoint -> (url prefix, folder)
        self._rules_seen = -1
        self._versions: dict[str, _Version] = {}  # file path -> its current version
        self._held = 0
        self._listed: dict[str, list[str]] = {}  # folder -> its files (relative, POSIX)
        # (folder, filename) -> (its path, the version named, the hashed name)
        self._names: dict[tuple[str, str], tuple[str, _Version, str]] = {}
        self._lock = threading.Lock()
        original = app.url_for

        def url_for(endpoint: str, /, **values: Any) -> str:
            return str(original(endpoint, **self.hashed_values(endpoint, values)))

        app.url_for = url_for
        app.jinja_env.globals["url_for"] = url_for

    def folders(self) -> dict[str, tuple[str, str]]:
        """``<blueprint>.static`` endpoint → (its URL prefix, its folder), read from the app's
        URL map again whenever an endpoint was added (blueprints registered after ``init_app``)."""
        url_map = self.app.url_map
        # Werkzeug's rules by endpoint: its size changes when a blueprint adds its endpoints
        # (counting every rule on each url_for cost ~200 us on an app with 400 routes)
        by_endpoint = getattr(url_map, "_rules_by_endpoint", None)
        seen = len(by_endpoint) if by_endpoint is not None else len(list(url_map.iter_rules()))
        if seen != self._rules_seen:
            found: dict[str, tuple[str, str]] = {}
            for rule in url_map.iter_rules():
                name, _, tail = rule.endpoint.rpartition(".")
                bp = self.app.blueprints.get(name) if tail == "static" else None
                m = _RULE.match(rule.rule)
                if bp is None or m is None or rule.subdomain or getattr(rule, "host", None):
                    continue
                folder = getattr(bp, "static_folder", None)
                if folder and os.path.isdir(folder):
                    found[rule.endpoint] = (m.group(1), os.path.realpath(folder))
            self._folders, self._rules_seen = found, seen
        return self._folders

    def hashed_values(self, endpoint: str, values: dict[str, Any]) -> dict[str, Any]:
        """``values`` with a blueprint static ``filename`` replaced by its hashed name."""
        filename = values.get("filename")
        if not isinstance(filename, str) or not endpoint.endswith("static"):
            return values
        if endpoint.startswith("."):
            from flask import request  # a relative endpoint, inside a blueprint's request

            bp = request.blueprint if request else None
            endpoint = f"{bp}{endpoint}" if bp else endpoint[1:]
        where = self.folders().get(endpoint)
        if where is None:
            return values
        named = self._named(where[1], filename)
        return values if named is None else {**values, "filename": named}

    def _named(self, folder: str, filename: str) -> str | None:
        """The hashed name of ``filename`` in ``folder`` (``None``: it keeps its name). Memoised:
        a call costs one ``stat`` while the file is unchanged."""
        memo = self._names.get((folder, filename))
        if memo is not None:
            known, old, name = memo
            if self._versions.get(known) is old and _stamp(known) == old.stamp:
                return name
        path = _inside(folder, filename)
        if path is None or self._locates_itself(folder, filename):
            return None
        version = self.version(path)
        if version is None:
            return None
        named = hashed_name(filename, version.digest)
        if len(self._names) < 100_000:
            self._names[(folder, filename)] = (path, version, named)
        return named

    def _locates_itself(self, folder: str, filename: str) -> bool:
        """A script that finds its own files from its name (CKEditor's ``ckeditor.js`` beside
        its ``plugins/`` and ``lang/``, as Flask-CKEditor serves it): keeps its name, or it would
        look for them under the page's URL."""
        if not filename.endswith(".js"):
            return False
        files = self._listed.get(folder)
        if files is None:
            files = [
                os.path.relpath(os.path.join(d, f), folder).replace(os.sep, "/")
                for d, _, names in os.walk(folder)
                for f in names
            ]
            self._listed[folder] = files
        return locates_itself(filename.lstrip("/"), files)

    def version(self, path: str) -> _Version | None:
        """The current version of the file at ``path`` (``None``: not a file)."""
        stamp = _stamp(path)
        if stamp is None:
            return None
        known = self._versions.get(path)
        if known is not None and known.stamp == stamp:
            return known
        try:
            data = Path(path).read_bytes()
        except OSError:
            return None
        digest = hashlib.sha256(data).hexdigest()
        version = _Version(stamp, digest, short_hash(digest), f'"{digest[:24]}"', {})
        with self._lock:
            old = self._versions.get(path)
            if old is not None:
                self._held -= sum(len(b) for b in old.bodies.values())
            self._versions[path] = version
        return version

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        url = environ.get("PATH_INFO", "")
        found = self._find(url) if method in ("GET", "HEAD") and HASHED_NAME.search(url) else None
        if found is None:
            return self.wsgi(environ, start_response)
        path, version = found
        headers = [("Content-Type", content_type(path)), ("Cache-Control", IMMUTABLE)]
        bodies = self._bodies(path, version)
        if len(bodies) > 1:
            headers.append(("Vary", "Accept-Encoding"))
        coding = choose(environ.get("HTTP_ACCEPT_ENCODING"), bodies)
        etag = version.etag if coding == "identity" else f'{version.etag[:-1]}-{coding}"'
        headers.append(("ETag", etag))
        if etag in environ.get("HTTP_IF_NONE_MATCH", ""):
            start_response("304 Not Modified", headers)
            return []
        body = bodies.get(coding) or bodies["identity"]
        if coding != "identity":
            headers.append(("Content-Encoding", coding))
        headers.append(("Content-Length", str(len(body))))
        start_response("200 OK", headers)
        return [] if method == "HEAD" else [body]

    def _find(self, url: str) -> tuple[str, _Version] | None:
        for prefix, folder in self.folders().values():
            if not url.startswith(prefix):
                continue
            rel = url[len(prefix) :]
            name = PurePosixPath(rel).name
            found = list(HASHED_NAME.finditer(name))
            if not found:
                continue
            m = found[-1]  # the last one: the hash hashed_name added
            plain = str(PurePosixPath(rel).with_name(name[: m.start()] + name[m.end() :]))
            path = _inside(folder, plain)
            version = self.version(path) if path else None
            if path and version is not None and version.short == m.group(0)[1:]:
                return path, version
        return None

    def _bodies(self, path: str, version: _Version) -> dict[str, bytes]:
        """The bodies of ``version`` by coding: compressed on first use, kept while they fit."""
        if version.bodies:
            return version.bodies
        data = Path(path).read_bytes()
        bodies = {"identity": data}
        ctype = content_type(path)
        if self.policy.eligible(200, {"content-type": ctype, "content-length": str(len(data))}):
            for coding in ENCODINGS:
                packed = compress_all(self.policy, coding, data)
                if len(packed) < len(data):
                    bodies[coding] = packed
        size = sum(len(b) for b in bodies.values())
        with self._lock:
            if self._held + size <= self.memory_limit and self._versions.get(path) is version:
                version.bodies = bodies
                self._held += size
        return bodies


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


def _inside(folder: str, filename: str) -> str | None:
    """The path of ``filename`` inside ``folder``, or ``None`` when it would leave it."""
    if "\\" in filename or "\x00" in filename:
        return None
    path = os.path.realpath(os.path.join(folder, filename.lstrip("/")))
    return path if path.startswith(folder + os.sep) and os.path.isfile(path) else None

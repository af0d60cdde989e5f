"""Files of folders outside the build, hashed and compressed while the app runs.

An installed package's files (a Flask extension's blueprint static folder, a ``StaticFiles``
mount of a package's folder under Starlette) live outside the project the build reads; the app
serves them. ``HashedFolders`` is what names and serves them; its subclasses find the folders
and give the app's ``url_for`` the names (``blueprint_static.BlueprintStatic`` for Flask,
``package_static.PackageStatic`` for Starlette):

- **names**: a file of a folder gets its content-hashed name (``css/bootstrap.min-HASH.css``,
  the build's ``name-HASH.ext``; the hash is computed once per file version, memoised on size
  and mtime), except a script that finds its own files from its name (CKEditor's
  ``ckeditor.js`` beside its ``plugins/``: ``adopt.selflocate.locates_itself``) or from its own
  path (OctoPrint's G-code viewer worker: ``adopt.selflocate.names_itself``), and an HTML page,
  opened by its URL (pgAdmin's help, Sphinx pages in ``help.static``);
- **stylesheets**: the copy served under a stylesheet's hashed name names the files of the
  folder its relative ``url()``s and ``@import``s point at by their hashed names too, and its
  hash is that copy's, so a changed image or font renames the stylesheet (an immutable
  stylesheet never keeps an old image); the unhashed URL answers the file as written;
- **serves** those hashed URLs (``respond``): ``Cache-Control: public, max-age=31536000,
  immutable``, a strong ETag, and for text types (CSS, JS, SVG, JSON, ...) brotli, zstd or gzip
  at their highest levels, kept in memory (``memory_limit`` bytes in all; beyond it, a fast
  compression on each request). A coding's first request gets a fast compression (an ETag of
  its own) and the highest level is made once the server is idle (``assetpipe.idlework``): on
  the request path it held a first page back by ~2 s. A hashed URL whose hash is not the file's
  current one is left to the app (a 404: never another version's bytes under an immutable
  name).
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path, PurePosixPath

from .adopt.selflocate import finds_own_url, locates_itself, names_itself
from .blueprint_css import named_refs
from .hashing import HASHED_NAME, hashed_name, short_hash
from .idlework import IdleWork
from .records import dataclass
from .serve.compress import Policy, compress_all
from .serve.files import IMMUTABLE, content_type
from .serve.negotiate import choose

ENCODINGS = ("br", "zstd", "gzip")


@dataclass
class _Version:
    """One version of one file: its hash and the bodies sent for it (by coding)."""

    stamp: tuple[int, int]  # (size, mtime_ns)
    digest: str  # SHA-256, hex
    short: str  # the hashed name's 8 characters
    etag: str
    # "identity" and each compressed coding made so far (b"": not smaller), when kept in memory
    bodies: dict[str, bytes]
    deps: tuple[tuple[str, _Version], ...] = ()  # a stylesheet's url() targets, as named


class HashedFolders:
    """Names and serves the files of folders by their hashed names (see the module doc).
    ``_folders`` (``folders()``): a key → (the folder's URL prefix, its real path)."""

    def __init__(self, memory_limit: int = 64 << 20) -> None:
        self.memory_limit = memory_limit
        self.policy = Policy(brotli_quality=11, gzip_level=9, zstd_level=19, minimum_size=256)
        # a file's first request in a coding: milliseconds, where ``policy`` takes 0.1-0.2 s
        self.fast = Policy(brotli_quality=5, gzip_level=6, zstd_level=3, minimum_size=256)
        self.idle = IdleWork()
        self._folders: dict[str, tuple[str, str]] = {}
        self._versions: dict[str, _Version] = {}  # file path -> its current version
        self._held = 0
        self._listed: dict[str, list[str]] = {}  # folder -> its files (relative, POSIX)
        # script path -> (its stamp, whether it names its own path: ``names_itself``, whether
        # it reads its own URL: ``finds_own_url``)
        self._self_named: dict[str, tuple[tuple[int, int] | None, bool, bool]] = {}
        # (folder, filename) -> (its path, the version named, the hashed name)
        self._names: dict[tuple[str, str], tuple[str, _Version, str]] = {}
        self._lock = threading.Lock()

    def folders(self) -> dict[str, tuple[str, str]]:
        """A key → (its URL prefix, its folder) for each folder served."""
        return self._folders

    def named(self, folder: str, filename: str) -> str | None:
        """The hashed name of ``filename`` in ``folder`` (``None``: it keeps its name). Memoised:
        a call costs one ``stat`` while the file is unchanged."""
        memo = self._names.get((folder, filename))
        if memo is not None:
            known, old, name = memo
            if self._current(known, old):
                return name
        path = _inside(folder, filename)
        if path is None or _is_page(filename) or self._locates_itself(folder, filename):
            return None
        version = self.version(path)
        if version is None:
            return None
        named = hashed_name(filename, version.digest)
        if len(self._names) < 100_000:
            self._names[(folder, filename)] = (path, version, named)
        return named

    def template_text(self) -> str:
        """The sources of the templates the app renders, searched for the scripts its pages
        name themselves (``_paged``): none here; ``BlueprintStatic`` reads the Flask app's."""
        return ""

    def _paged(self, files: list[str]) -> set[str]:
        """The scripts of ``files`` that a template of the app names by that path."""
        text = self.template_text()
        return {f for f in files if f.endswith(".js") and f in text}

    def _locates_itself(self, folder: str, filename: str) -> bool:
        """A script that finds its own files from its name (CKEditor's ``ckeditor.js`` beside
        its ``plugins/`` and ``lang/``, as Flask-CKEditor serves it), or the site's URL from its
        own path (``names_itself``, read once per file version): keeps its name, or it would
        look for them under the wrong URL."""
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
        script = filename.lstrip("/")
        path = _inside(folder, filename)
        if path is None:
            return False
        stamp = _stamp(path)
        seen = self._self_named.get(path)
        if seen is None or seen[0] != stamp:
            try:
                with open(path, encoding="utf-8", errors="replace") as f:
                    text = f.read()
                seen = (stamp, names_itself(text, filename), finds_own_url(text))
            except OSError:
                seen = (stamp, False, True)
            self._self_named[path] = seen
        # a subfolder's script that the app's templates name themselves is loaded by the pages,
        # no file of the library's own (pyLoad's theme: jQuery UI in vendor/jQuery/jQuery UI/
        # beside jquery.min.js, which kept its name, unhashed and revalidated on every visit)
        if locates_itself(script, files, (), seen[2]) and locates_itself(
            script, files, self._paged(files), seen[2]
        ):
            return True
        return seen[1]

    def _current(self, path: str, version: _Version) -> bool:
        """Whether ``version`` is still the file's, and so are those its stylesheet names."""
        return (
            self._versions.get(path) is version
            and _stamp(path) == version.stamp
            and all(self._current(p, v) for p, v in version.deps)
        )

    def version(self, path: str, _within: frozenset[str] = frozenset()) -> _Version | None:
        """The current version of the file at ``path`` (``None``: not a file). A stylesheet's
        is that of the copy served (``_content``); ``_within``: the stylesheets naming it."""
        known = self._versions.get(path)
        if known is not None and self._current(path, known):
            return known
        stamp = _stamp(path)
        if stamp is None:
            return None
        try:
            data, deps = self._content(path, _within)
        except OSError:
            return None
        digest = hashlib.sha256(data).hexdigest()
        version = _Version(stamp, digest, short_hash(digest), f'"{digest[:24]}"', {}, deps)
        with self._lock:
            old = self._versions.get(path)
            if old is not None:
                self._held -= sum(len(b) for b in old.bodies.values())
            self._versions[path] = version
        return version

    def respond(
        self, method: str, url: str, accept_encoding: str | None, if_none_match: str
    ) -> tuple[str, list[tuple[str, str]], bytes] | None:
        """The answer to a request for a hashed URL of a folder (status, headers, body: empty
        for HEAD and 304), or ``None``: not one, the app answers. May compress: blocking."""
        self.idle.busy()
        found = self._find(url) if method in ("GET", "HEAD") and HASHED_NAME.search(url) else None
        if found is None:
            return None
        path, version = found
        headers = [("Content-Type", content_type(path)), ("Cache-Control", IMMUTABLE)]
        codings = self._codings(path, version)
        if codings:
            headers.append(("Vary", "Accept-Encoding"))
        coding = choose(accept_encoding, codings)
        etag = version.etag if coding == "identity" else f'{version.etag[:-1]}-{coding}"'
        for tag in (etag, f'{etag[:-1]}-fast"') if coding != "identity" else (etag,):
            if tag in if_none_match:  # the fast body decodes to the same bytes: as good a copy
                return "304 Not Modified", [*headers, ("ETag", tag)], b""
        body, final = self._body(path, version, coding)
        if body is None:  # not smaller in that coding: the file as it is
            coding, etag = "identity", version.etag
            body = self._identity(path, version)
        elif not final:  # a fast compression, until the idle thread has made the best one
            etag = f'{etag[:-1]}-fast"'
        headers.append(("ETag", etag))
        if coding != "identity":
            headers.append(("Content-Encoding", coding))
        headers.append(("Content-Length", str(len(body))))
        return "200 OK", headers, b"" if method == "HEAD" else body

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

    def _content(
        self, path: str, within: frozenset[str] = frozenset()
    ) -> tuple[bytes, tuple[tuple[str, _Version], ...]]:
        """The bytes served under ``path``'s hashed name and the versions they name: a
        stylesheet's relative references by hashed names (``blueprint_css.named_refs``)."""
        data = Path(path).read_bytes()
        where = next((w for w in self._folders.values() if path.startswith(w[1] + os.sep)), None)
        if not path.endswith(".css") or where is None:
            return data, ()
        url = where[0] + os.path.relpath(path, where[1]).replace(os.sep, "/")

        def version(target: str) -> _Version | None:
            skip = target in within or target == path
            return None if skip else self.version(target, within | {path})

        return named_refs(data, path, where[1], url, version, self._built_url)

    def _built_url(self, url: str) -> tuple[str, tuple[str, _Version]] | None:
        """The build's URL of ``url`` (a stylesheet's reference into the app's own static
        folder) with the version that names it, or ``None``: none here; ``BlueprintStatic``
        answers from the Flask app's build."""
        return None

    def _codings(self, path: str, version: _Version) -> tuple[str, ...]:
        """The codings ``version`` may be sent in besides identity: ``ENCODINGS`` for a text
        type of at least the policy's minimum size, else none."""
        size = version.stamp[0] if not version.deps else len(self._identity(path, version))
        headers = {"content-type": content_type(path), "content-length": str(size)}
        return ENCODINGS if self.policy.eligible(200, headers) else ()

    def _identity(self, path: str, version: _Version) -> bytes:
        return version.bodies.get("identity") or self._content(path)[0]

    def _body(self, path: str, version: _Version, coding: str) -> tuple[bytes | None, bool]:
        """(The body of ``version`` in ``coding``, whether it is the final one): ``None`` when
        that coding is not smaller. A coding's first request gets a fast compression and the
        idle thread makes the highest-level one, kept while it fits in ``memory_limit``.
        Making all three at their highest levels on the request path (0.14 s for jQuery,
        0.21 s for Bootstrap's CSS) held a fresh process's first page back by ~2 s on a
        one-thread server, and bukuserver's ``setTimeout(() => $(...), 500)`` then ran
        before jQuery had come (``$ is not defined``)."""
        known = version.bodies.get(coding)
        if known is not None:
            return known or None, True  # b"": compressed, it was not smaller
        data = self._identity(path, version)
        if coding == "identity":
            self._keep(path, version, coding, data, data)
            return data, True
        fast = compress_all(self.fast, coding, data)
        if self._held + 2 * len(data) <= self.memory_limit:
            self.idle.add(
                (path, version.digest, coding),
                lambda: self._keep(path, version, coding, data, self._best(coding, data)),
            )
        return (fast if len(fast) < len(data) else None), False

    def _best(self, coding: str, data: bytes) -> bytes:
        packed = compress_all(self.policy, coding, data)
        return packed if len(packed) < len(data) else b""

    def _keep(self, path: str, version: _Version, coding: str, data: bytes, body: bytes) -> None:
        """Keep ``body`` as ``version``'s in ``coding`` while it fits and is current."""
        with self._lock:
            bodies = {"identity": data, **version.bodies, coding: body}
            grown = sum(map(len, bodies.values())) - sum(map(len, version.bodies.values()))
            if self._held + grown <= self.memory_limit and self._versions.get(path) is version:
                version.bodies = bodies
                self._held += grown


def _is_page(filename: str) -> bool:
    """An HTML page: a document a user opens and links to, never hashed."""
    return filename.lower().endswith((".html", ".htm"))


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

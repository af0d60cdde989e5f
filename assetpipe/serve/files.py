"""The immutable file table: ``{url path → StaticFile}``, built once from ``<output>/public/`` and
the build's manifest and report (``assetpipe.manifest.BuildView``).

Only what the table holds can ever be served: a request is an exact dictionary lookup, so
``..``, encoded traversal, backslashes, NUL bytes, absolute or UNC paths and invalid UTF-8 simply
name no key (there is no path joining at request time). At build time the walk:

- keeps regular files only, and only those whose real path (symlinks resolved) stays inside the
  real ``public/`` root — a symlink leaving the root is left out, and so is a precompressed
  sibling that is one;
- treats ``X.br`` / ``X.gz`` / ``X.zst`` as encoded alternatives of ``X`` when ``X`` exists; they
  are never served under their own names (a standalone ``archive.gz`` is an ordinary file);
- marks as immutable (``Cache-Control: public, max-age=31536000, immutable``) the files the
  manifest names (except ``"immutable": false`` entries) and report.json's ``retained`` files;
  every other file gets ``no-cache`` (revalidate with its ETag), or the ``unhashed`` header
  given (the Flask extension passes the one the app's own static route sends: pgAdmin's
  ``SEND_FILE_MAX_AGE_DEFAULT`` of a year kept its unhashed webpack chunks cached, and with
  ``no-cache`` a warm visit revalidated each of them; ``""``: none, as Starlette's
  ``StaticFiles`` sends, ``assetpipe.starlette``);
- computes a strong ETag per representation from its bytes (blake2b), so each encoding has its
  own; a memo keyed by (device, inode, size, mtime) avoids rehashing hard-linked files when a
  new build is loaded;
- keeps bodies up to ``memory_file_limit`` bytes in memory (a build folder is never modified in
  place, so the bytes cannot go stale), within ``memory_total_limit``; larger ones are streamed
  from disk;
- with ``source_paths`` (the default), also answers each manifest key — the source path, e.g.
  ``/static/img/team-1.jpg`` — with that asset's default output (``default_output``) under
  that same header (``no-cache`` by default) and the output's ETag, so unhashed URLs (emails, bookmarks, URLs built in JS)
  keep working, like WhiteNoise's non-hashed names. A published file of that very name (a
  ``keep_names`` file) is served as it is; esbuild's shared chunks (no ``src``) have no source
  path;
- also (with ``source_paths``) answers a hashed name this build lacks — an earlier build's,
  no longer retained (``retain_builds``) — with the output of the same name but for its hash
  (``css/app-OLDHASH1.css`` → ``css/app-NEWHASH2.css``; ``img/hero-960w-…webp`` → the new
  960w WebP), under ``no-cache``: an app that memoised the URLs of the build it started with
  (Fava's cached ``url_for``), or a page a browser kept, loads the current file instead of a
  404 (``FileTable.get_former``). An output whose unhashed name another output shares, and esbuild's
  chunks, are not answered so.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path
from typing import Any

from ..hashing import unhashed
from ..imaging.formats import widest_original
from ..manifest import ENCODING_SUFFIX, BuildView, Manifest, Stamp
from .negotiate import choose
from .tally import Tally

log = logging.getLogger("assetpipe.serve")

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
SUFFIX_ENCODING = {suffix: enc for enc, suffix in ENCODING_SUFFIX.items()}

_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".cjs": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".htm": "text/html",
    ".txt": "text/plain",
    ".json": "application/json",
    ".geojson": "application/geo+json",  # Superset's maps; not in Python's own table
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".wasm": "application/wasm",
    ".pdf": "application/pdf",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
    ".gz": "application/gzip",
    ".zst": "application/zstd",
    ".br": "application/octet-stream",
}
_CHARSET_TYPES = (
    "text/",
    "application/json",
    "application/manifest+json",
    "application/xml",
    "image/svg+xml",
)
_mimetypes = mimetypes.MimeTypes(filenames=())  # no /etc/mime.types: same answer everywhere


def content_type(name: str) -> str:
    """The Content-Type for a file name, with ``charset=utf-8`` for text types."""
    ext = os.path.splitext(name)[1].lower()
    ctype = _TYPES.get(ext) or _mimetypes.guess_type(name)[0] or "application/octet-stream"
    if ctype.startswith(_CHARSET_TYPES):
        ctype += "; charset=utf-8"
    return ctype


@dataclass(slots=True)
class Representation:
    """One encoding of a file: where it is, its size, ETag and (small files) bytes."""

    encoding: str  # "identity", "br", "zstd", "gzip"
    path: str
    size: int
    etag: str
    data: bytes | None
    #: headers of a 200 for this representation (without Content-Length for identity ranges)
    headers: list[tuple[str, str]] = field(default_factory=list)
    #: headers of a 304 for this representation
    headers_304: list[tuple[str, str]] = field(default_factory=list)
    #: the same two lists encoded for ASGI
    raw: list[tuple[bytes, bytes]] = field(default_factory=list)
    raw_304: list[tuple[bytes, bytes]] = field(default_factory=list)
    #: the WSGI body of a 200 (``(data,)``), when in memory
    body: tuple[bytes, ...] = ()
    #: 200s and 304s served by the adapters' fast path (``next(tally)``; read by ``stats``)
    served: Tally = field(default_factory=Tally)
    not_modified: Tally = field(default_factory=Tally)


@dataclass(slots=True)
class StaticFile:
    """A servable file and its encoded alternatives."""

    rel: str
    content_type: str
    immutable: bool
    last_modified: str
    identity: Representation
    alternatives: dict[str, Representation]

    #: Accept-Encoding value → negotiated representation (a few distinct values in practice)
    negotiated: dict[str | None, Representation] = field(default_factory=dict)
    #: the manifest key a source path answers for (``None`` for a built file's own name)
    source: str | None = None

    def representation(self, encoding: str) -> Representation:
        return self.alternatives.get(encoding, self.identity)

    def negotiate(self, accept_encoding: str | None) -> Representation:
        """The representation for an ``Accept-Encoding`` value (memoised per file, bounded)."""
        rep = self.negotiated.get(accept_encoding)
        if rep is None:
            rep = (
                self.alternatives.get(choose(accept_encoding, self.alternatives), self.identity)
                if self.alternatives
                else self.identity
            )
            if len(self.negotiated) < 32:
                self.negotiated[accept_encoding] = rep
        return rep


@dataclass
class FileTable:
    """URL path → file, built by ``build_table``. ``files`` keys are unicode paths (ASGI's
    ``scope["path"]``); ``wsgi_files`` the same keys as WSGI strings (UTF-8 bytes as latin-1)."""

    root: Path
    prefix: str
    files: dict[str, StaticFile]
    wsgi_files: dict[str, StaticFile]
    stamp: Stamp | None = None
    #: an output's URL without its hash → a ``no-cache`` copy of it (``unhashed`` keys, in the
    #: ``files`` and ``wsgi_files`` forms): the answer for a former build's hashed name
    former: dict[str, StaticFile] = field(default_factory=dict)
    wsgi_former: dict[str, StaticFile] = field(default_factory=dict)

    def get(self, path: str, wsgi: bool = True) -> StaticFile | None:
        """The file at URL ``path`` (a WSGI string when ``wsgi``)."""
        return (self.wsgi_files if wsgi else self.files).get(path)

    def get_former(self, path: str, wsgi: bool = True) -> StaticFile | None:
        """For a hashed name this build lacks, the output of the same name but for its hash
        (``former``). Asked only of the newest table, after ``get`` missed: an older table
        would answer a newer build's name with its own, older bytes."""
        bare = unhashed(path)
        return (self.wsgi_former if wsgi else self.former).get(bare) if bare != path else None

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other

    def __len__(self) -> int:
        return len(self.files)


_etag_memo: dict[tuple[int, int, int, int], str] = {}


def _etag(path: str, st: os.stat_result, data: bytes | None) -> str:
    key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    tag = _etag_memo.get(key)
    if tag is None:
        h = hashlib.blake2b(digest_size=12)
        if data is not None:
            h.update(data)
        else:
            with open(path, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
        tag = '"' + h.hexdigest() + '"'
        if len(_etag_memo) > 200_000:
            _etag_memo.clear()
        _etag_memo[key] = tag
    return tag


def _walk(root: str) -> Iterable[tuple[str, str, os.stat_result]]:
    """(relative POSIX path, real path, stat) of every regular file whose real path is inside
    ``root`` (itself a real path)."""
    root_prefix = root.rstrip(os.sep) + os.sep
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            real = os.path.realpath(path)
            if not real.startswith(root_prefix):
                log.debug("not serving %s: it leads outside %s", path, root)
                continue
            try:
                st = os.stat(real)
            except OSError:
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            yield rel, real, st


def default_output(entry: dict[str, Any]) -> str:
    """The output a source path answers with: for an image, its original-format variant of the
    largest width (the format the URL's extension promises); otherwise the entry's ``file``."""
    return widest_original(entry) or str(entry["file"])


def _source_paths(
    manifest: Manifest, files: dict[str, StaticFile], prefix: str, unhashed: str = REVALIDATE
) -> dict[str, StaticFile]:
    """URL of each manifest key → a copy of its default output under ``unhashed`` (module
    doc)."""
    out: dict[str, StaticFile] = {}
    for key, entry in manifest.entries.items():
        url = prefix + key
        if "src" not in entry or url in files:
            continue
        target = files.get(prefix + default_output(entry))
        if target is not None:
            out[url] = _revalidated(key, target, unhashed)
            out[url].source = key
    return out


def _former_names(
    manifest: Manifest, files: dict[str, StaticFile], prefix: str
) -> dict[str, StaticFile]:
    """URL of each output of a source file without its hash → a ``no-cache`` copy of that
    output (``FileTable.former``; module doc). Names two outputs share are left out."""
    out: dict[str, StaticFile] = {}
    shared: set[str] = set()
    for entry in manifest.entries.values():
        if "src" not in entry:
            continue
        names = {str(entry["file"]), *(str(v["file"]) for v in entry.get("variants", ()))}
        for name in names:
            target = files.get(prefix + name)
            bare = prefix + unhashed(name)
            if target is None or bare == prefix + name:
                continue
            if bare in out and out[bare].rel != name:
                shared.add(bare)
            out[bare] = _revalidated(name, target)
    return {url: sf for url, sf in out.items() if url not in shared}


def _revalidated(rel: str, target: StaticFile, cache: str = REVALIDATE) -> StaticFile:
    """A copy of ``target`` (same bytes and ETags) answering for ``rel`` under the
    ``Cache-Control`` header ``cache``."""

    def copy(r: Representation) -> Representation:
        return Representation(r.encoding, r.path, r.size, r.etag, r.data)

    sf = StaticFile(
        rel=rel,
        content_type=target.content_type,
        immutable=False,
        last_modified=target.last_modified,
        identity=copy(target.identity),
        alternatives={e: copy(r) for e, r in target.alternatives.items()},
    )
    _precompute_headers(sf, cache)
    return sf


def build_table(
    output: str | os.PathLike[str],
    prefix: str = "/static/",
    *,
    memory_file_limit: int = 512 * 1024,
    memory_total_limit: int = 64 * 1024 * 1024,
    source_paths: bool = True,
    unhashed: str = REVALIDATE,
    headers: Iterable[tuple[str, str]] = (),
) -> FileTable:
    """Scan ``<output>/public`` (resolving the output symlink once) into a ``FileTable``;
    ``source_paths`` and ``unhashed`` (the ``Cache-Control`` of every file that is not
    immutable, but a former build's hashed name): see the module doc. ``headers`` go on every
    200 and 304 of every file (the app's own security headers: ``assetpipe.flaskcache``)."""
    build = BuildView.read(output)
    root = build.folder / "public"
    manifest = build.manifest
    immutable = build.immutable()
    found: dict[str, tuple[str, os.stat_result]] = {}
    if root.is_dir():
        for rel, real, st in _walk(str(root)):
            found[rel] = (real, st)
    budget = [memory_total_limit]

    def rep(encoding: str, real: str, st: os.stat_result) -> Representation:
        data = None
        if st.st_size <= memory_file_limit and st.st_size <= budget[0]:
            try:
                with open(real, "rb") as f:
                    data = f.read()
                budget[0] -= len(data)
            except OSError:
                data = None
        return Representation(
            encoding,
            real,
            len(data) if data is not None else st.st_size,
            _etag(real, st, data),
            data,
        )

    files: dict[str, StaticFile] = {}
    for rel, (real, st) in found.items():
        base, suffix = os.path.splitext(rel)
        if suffix in SUFFIX_ENCODING and base in found:
            continue  # an encoded alternative, served only through negotiation
        if "\\" in rel or "\x00" in rel:
            continue
        alts: dict[str, Representation] = {}
        for enc, sfx in ENCODING_SUFFIX.items():
            alt = found.get(rel + sfx)
            if alt is not None:
                alts[enc] = rep(enc, *alt)
        sf = StaticFile(
            rel=rel,
            content_type=content_type(rel),
            immutable=rel in immutable,
            last_modified=formatdate(st.st_mtime, usegmt=True),
            identity=rep("identity", real, st),
            alternatives=alts,
        )
        _precompute_headers(sf, unhashed)
        files[prefix + rel] = sf
    former: dict[str, StaticFile] = {}
    if source_paths:
        former = _former_names(manifest, files, prefix)
        files.update(_source_paths(manifest, files, prefix, unhashed))
    extra = list(headers)
    if extra:
        for sf in (*files.values(), *former.values()):
            _add_headers(sf, extra)
    log.debug("file table: %d files under %s", len(files), root)
    return FileTable(
        root=root,
        prefix=prefix,
        files=files,
        wsgi_files=_wsgi_keys(files),
        stamp=build.stamp,
        former=former,
        wsgi_former=_wsgi_keys(former),
    )


def _wsgi_keys(files: dict[str, StaticFile]) -> dict[str, StaticFile]:
    """``files`` keyed by WSGI strings (the URL's UTF-8 bytes as latin-1)."""
    return {k.encode("utf-8").decode("latin-1"): v for k, v in files.items()}


def _precompute_headers(sf: StaticFile, unhashed: str = REVALIDATE) -> None:
    """Each representation's headers; ``unhashed`` ``""`` sends no ``Cache-Control`` for a file
    that is not immutable (Starlette's ``StaticFiles`` sends none: ``assetpipe.starlette``)."""
    cache = IMMUTABLE if sf.immutable else unhashed
    vary = [("Vary", "Accept-Encoding")] if sf.alternatives else []
    control = [("Cache-Control", cache)] if cache else []
    for r in (sf.identity, *sf.alternatives.values()):
        common = [
            ("ETag", r.etag),
            *control,
            ("Last-Modified", sf.last_modified),
            *vary,
        ]
        enc = [] if r.encoding == "identity" else [("Content-Encoding", r.encoding)]
        r.headers = [
            ("Content-Type", sf.content_type),
            ("Content-Length", str(r.size)),
            ("Accept-Ranges", "bytes"),
            *enc,
            *common,
        ]
        r.headers_304 = common
        r.raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in r.headers]
        r.raw_304 = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in common]
        r.body = (r.data,) if r.data is not None else ()


def _add_headers(sf: StaticFile, extra: list[tuple[str, str]]) -> None:
    """Append ``extra`` to each of ``sf``'s precomputed 200 and 304 headers."""
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in extra]
    for r in (sf.identity, *sf.alternatives.values()):
        r.headers = [*r.headers, *extra]
        r.headers_304 = [*r.headers_304, *extra]
        r.raw = [*r.raw, *raw]
        r.raw_304 = [*r.raw_304, *raw]


def describe(table: FileTable) -> dict[str, Any]:
    """A small summary for logs and the stats endpoint."""
    return {
        "root": str(table.root),
        "files": len(table.files),
        "immutable": sum(1 for f in table.files.values() if f.immutable),
        "encoded": sum(len(f.alternatives) for f in table.files.values()),
    }

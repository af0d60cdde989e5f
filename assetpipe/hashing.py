"""Content hashes, hashed file names and SRI integrity strings."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Collection
from pathlib import Path, PurePosixPath

from .lazyre import lazy

HASH_LEN = 8
#: ``name-HASH.ext``: 8 characters of esbuild's alphabet (base32, upper case), so our names and
#: esbuild's ``[name]-[hash]`` look alike and one pattern recognises both.
HASHED_NAME = lazy(r"-[A-Z2-7]{8}(?=\.[^/]*$|$)")


#: double suffixes the hash goes before, kept whole: a userscript manager (Tampermonkey,
#: Violentmonkey) offers to install a URL only when it ends in ``.user.js`` (pyLoad links its
#: captcha userscript: hashed as ``captcha-interactive.user-HASH.js``, the link showed the text)
WHOLE_SUFFIXES = (".user.js", ".user.css")


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes, read in chunks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


_SHA256_HEX = lazy(r"[0-9a-f]{64}")


def short_hash(sha256_hex: str) -> str:
    """The 8-character hash used in file names: base32 (upper case) of the SHA-256 digest whose
    lower-case hex is ``sha256_hex`` (what ``sha256_file`` and ``hashlib``'s ``hexdigest()``
    give). Anything else is a ``ValueError``: the content's hash must be computed by the
    caller, never guessed from the argument's shape (raw bytes or text are not a digest)."""
    if not isinstance(sha256_hex, str) or not _SHA256_HEX.fullmatch(sha256_hex):
        raise ValueError(
            f"short_hash takes a SHA-256 hex digest (64 lower-case hex digits), not {sha256_hex!r}"
        )
    return base64.b32encode(bytes.fromhex(sha256_hex)).decode("ascii")[:HASH_LEN]


def hashed_name(rel: str, digest: str, suffix: str = "") -> str:
    """``img/logo.svg`` + hash → ``img/logo-HASH.svg``; ``suffix`` goes before the hash
    (``img/hero.jpg``, ``-960w`` → ``img/hero-960w-HASH.jpg``), and the hash before a
    ``WHOLE_SUFFIXES`` one (``js/x.user.js`` → ``js/x-HASH.user.js``). ``digest`` is the hex SHA-256
    of the file's bytes (``ValueError`` otherwise, see ``short_hash``)."""
    p = PurePosixPath(rel)
    stem, ext = p.name, ""
    whole = next((w for w in WHOLE_SUFFIXES if p.name.lower().endswith(w)), None)
    if whole is not None and len(p.name) > len(whole):
        stem, ext = p.name[: -len(whole)], p.name[-len(whole) :]
    elif "." in p.name[1:]:
        dot = p.name.rindex(".")
        stem, ext = p.name[:dot], p.name[dot:]
    name = f"{stem}{suffix}-{short_hash(digest)}{ext}"
    return str(p.with_name(name))


def is_hashed(rel: str) -> bool:
    """Whether a public file name carries a content hash (``-XXXXXXXX`` before the extension)."""
    return bool(HASHED_NAME.search(PurePosixPath(rel).name))


def unhashed(path: str) -> str:
    """``path`` without the content hash of its last segment (``css/app-X7CWHZFK.css`` →
    ``css/app.css``, ``img/hero-960w-GZDXYCFR.webp`` → ``img/hero-960w.webp``); a path without
    one is returned as it is."""
    return HASHED_NAME.sub("", path, count=1)


def sri(data: bytes) -> str:
    """Subresource Integrity value (sha384) for ``data``."""
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


def sri_file(path: Path) -> str:
    h = hashlib.sha384()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return "sha384-" + base64.b64encode(h.digest()).decode("ascii")


#: a hex content hash in a file name, captured (``bundler_manifest.reached`` looks for it in a
#: runtime's bytes)
HEX_NAME_HASH = r"(?:^|\.)([0-9a-f]{8,32})\."
#: a bundler's content hash in a file name, before an extension: webpack's and Create React
#: App's ``[name].[contenthash:8].js`` / ``1536.400d7381.chunk.js`` (8 to 32 hex digits between
#: dots, or first: webpack's ``[contenthash].chunk.js``) and Vite's or Rollup's
#: ``[name]-[hash:8].js`` (8 base64url characters after a dash)
BUNDLER_HASH = lazy(HEX_NAME_HASH + r"|-[A-Za-z0-9_-]{8}\.")


def bundler_hashed(rel: str, named: Collection[str]) -> bool:
    """Whether ``rel`` is a file a bundler already named by content hash, so it keeps its name
    and is served ``immutable``: its name carries a hash of the bundler's pattern
    (``BUNDLER_HASH``) *and* ``named`` (the keys a bundler manifest in the build folder lists,
    ``bundler_manifest.manifest_named``) holds it. A name alone is not evidence: a hand-named
    ``logo.3f2a9b1c.png`` whose bytes change would be cached for a year under a name that no
    longer matches them; a manifest is written by the bundler with the files it hashed."""
    return rel in named and BUNDLER_HASH.search(PurePosixPath(rel).name + ".") is not None

"""Content hashes, hashed file names and SRI integrity strings."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path, PurePosixPath

HASH_LEN = 8
#: ``name-HASH.ext``: 8 characters of esbuild's alphabet (base32, upper case), so our names and
#: esbuild's ``[name]-[hash]`` look alike and one pattern recognises both.
HASHED_NAME = re.compile(r"-[A-Z2-7]{8}(?=\.[^/]*$|$)")


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes, read in chunks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def short_hash(data: bytes | str) -> str:
    """The 8-character content hash used in file names (base32 of SHA-256, upper case)."""
    if isinstance(data, str):
        data = bytes.fromhex(data) if len(data) == 64 else data.encode()
    else:
        data = hashlib.sha256(data).digest()
    return base64.b32encode(data).decode("ascii")[:HASH_LEN]


def hashed_name(rel: str, digest: str, suffix: str = "") -> str:
    """``img/logo.svg`` + hash → ``img/logo-HASH.svg``; ``suffix`` goes before the hash
    (``img/hero.jpg``, ``-960w`` → ``img/hero-960w-HASH.jpg``). ``digest`` is a hex SHA-256."""
    p = PurePosixPath(rel)
    stem, ext = p.name, ""
    if "." in p.name[1:]:
        dot = p.name.rindex(".")
        stem, ext = p.name[:dot], p.name[dot:]
    name = f"{stem}{suffix}-{short_hash(digest)}{ext}"
    return str(p.with_name(name))


def is_hashed(rel: str) -> bool:
    """Whether a public file name carries a content hash (``-XXXXXXXX`` before the extension)."""
    return bool(HASHED_NAME.search(PurePosixPath(rel).name))


def sri(data: bytes) -> str:
    """Subresource Integrity value (sha384) for ``data``."""
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


def sri_file(path: Path) -> str:
    h = hashlib.sha384()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return "sha384-" + base64.b64encode(h.digest()).decode("ascii")

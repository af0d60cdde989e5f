"""Files in a static folder that look like secrets, and the folders that hold them.

A build publishes what ``static.include`` lists under hashed, immutable names, wherever it is
deployed (a CDN, an image, an ``out/`` folder synced to a bucket). A private key there is
published for good. The names are those Vite's dev server refuses to serve by default
(``server.fs.deny``: ``.env``, ``.env.*``, ``*.{crt,pem}``) with private keys and key stores
(``*.key``, ``*.p12``, ``*.pfx``, ``*.jks``) and an ``.htpasswd``; a file in a ``.git``
folder too.

An app that keeps such a file in its static folder keeps it beside its run-time state: Whoogle
writes its session secret ``static/config/whoogle.key``, its session files and a cache there,
none of which a page loads. ``init`` leaves out the folder that holds one (``left_out``) when
nothing names a file of it; the build warns when it publishes one all the same
(``stages/static``).
"""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase

#: file names (lower-cased) that look like secrets
SECRET_NAMES = (".env", ".env.*", "*.crt", "*.pem", "*.key", "*.p12", "*.pfx", "*.jks", ".htpasswd")


def secret_like(key: str) -> str | None:
    """The pattern of ``SECRET_NAMES`` the static key ``key`` (``/``-separated) matches,
    ``.git/**`` for a file in a ``.git`` folder, else ``None``."""
    *folders, name = key.split("/")
    if ".git" in folders:
        return ".git/**"
    return next((p for p in SECRET_NAMES if fnmatchcase(name.lower(), p)), None)


def left_out(files: Iterable[str], named: Iterable[str]) -> dict[str, str]:
    """The static keys of ``files`` that ``init`` leaves out of ``static.include``, each with
    the secret-like key it goes with: each secret-like file, and every file of a folder that
    holds one (below the static folder's top, with its subfolders) when ``named`` (what the
    templates, stylesheets and scripts name) has none of that folder's files. A named file
    is never left out."""
    files, keep = list(files), set(named)
    out: dict[str, str] = {}
    for key in files:
        if key in keep or secret_like(key) is None:
            continue
        out[key] = key
        folder = key.rpartition("/")[0] + "/"
        inside = [f for f in files if f.startswith(folder)] if folder != "/" else []
        if not keep.intersection(inside):
            out.update({f: key for f in inside if f not in out})
    return out

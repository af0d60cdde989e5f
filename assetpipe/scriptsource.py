"""Script sources no browser runs: TypeScript and JSX (``.ts``, ``.tsx``, ``.mts``, ``.cts``,
``.jsx``), the inputs of a bundler. An app that ships its webpack sources beside the output in
its static folder (Airflow 2.10: 203 of them under ``static/js/``, next to ``static/dist/``)
has them matched by a folder's glob (``js/**``); copied, hashed and brotli'd, they cost the
build and a deploy for files no page loads. The static stage leaves them out (the app still
answers their unhashed URLs from the source folder, as before adoption: a source map's
``sources`` in devtools), and ``init`` neither lists nor counts them; a page that loads one
names it in ``scripts.entries``, which compiles it.

``.ts`` is also an MPEG transport stream (an HLS video's segments): a ``.ts`` file with a NUL
byte in its first 4 KB is such a video, not a script source."""

from __future__ import annotations

from pathlib import Path

#: the extensions of script sources a browser cannot run (lower case)
SOURCE_EXTS = (".ts", ".tsx", ".mts", ".cts", ".jsx")


def script_source(rel: str, path: Path) -> bool:
    """Whether the file ``rel`` (at ``path``) is a TypeScript or JSX source (module doc)."""
    lower = rel.lower()
    if not lower.endswith(SOURCE_EXTS):
        return False
    if not lower.endswith(".ts"):
        return True
    try:
        with path.open("rb") as f:
            return b"\0" not in f.read(4096)
    except OSError:
        return True

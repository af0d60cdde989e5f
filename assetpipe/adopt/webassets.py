"""Templates that load Flask-Assets bundles (``{% assets %}``), for ``init``'s note.

webassets builds those scripts and stylesheets itself and serves them from its own folder
(OctoPrint: ``/static/webassets/packed_*.js`` and ``.css``, nearly all of the main page's bytes,
answered by Tornado before the app sees the request): assetpipe does not take them over. They
keep loading as before; the build hashes what the templates name themselves (icons, images,
the pages that link files directly), and a font such a template preloads keeps its source name,
the one the bundled stylesheets ask for (``rewrite.foreign``). ``init`` says so, so that the
user does not expect the bundles hashed, compressed and immutable.
"""

from __future__ import annotations

from pathlib import Path

from ..rewrite.foreign import foreign_stylesheets
from .files import TEMPLATE_EXT, walk


def assets_templates(folders: list[Path]) -> list[str]:
    """The templates under ``folders`` (names relative to their folder, sorted, each once) that
    use ``{% assets %}``."""
    found: set[str] = set()
    for folder in folders:
        for path in walk(folder, TEMPLATE_EXT):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if foreign_stylesheets(text):
                found.add(path.relative_to(folder).as_posix())
    return sorted(found)

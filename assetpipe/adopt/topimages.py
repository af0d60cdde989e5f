"""The photos at the top of a static folder that ``init`` hands to the images stage.

``init`` gives the images stage the static folder's image *folders*; the files at its top were
all copied as they are, as its icons must be (a favicon, a touch icon: fetched by name and
size). A photo there (Flask's ``static/hero.jpg``, a logo) then went out at its own size and
format to every screen. Such a file, when a template names it and it is not named like an
icon, is an image like those of the folders: resized, modern-format variants, a srcset.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from ..imaging.formats import RASTER

#: a file at the static folder's top named like an icon (a favicon, a touch icon, a tile)
ICON_NAME = re.compile(r"icon|apple-touch|android-chrome|mstile|safari-pinned", re.IGNORECASE)
#: smaller files stay copied: an icon by another name (Pyramid's ``pyramid-16x16.png``, 1.3 KB),
#: or too small for variants to gain anything
MIN_BYTES = 4096


def top_images(folder: Path, files: Iterable[str], named: set[str], other: set[str]) -> list[str]:
    """The raster ``files`` at the top of the static ``folder`` (no ``/``) that the templates
    name (``named``), not named like an icon, of at least ``MIN_BYTES``, and not another
    tool's or the app's own (``other``)."""
    return sorted(
        f
        for f in files
        if "/" not in f
        and f.lower().endswith(RASTER)
        and f in named
        and not ICON_NAME.search(f)
        and f not in other
        and (folder / f).stat().st_size >= MIN_BYTES
    )

"""A folder's Pyramid asset specification: how a Pyramid app names the static folder.

Pyramid names a package's files by asset specification, ``package:path`` (``acme:static/app.css``
is ``app.css`` in the ``static`` folder of the ``acme`` package), in ``config.add_static_view``,
``request.static_url`` and ``config.override_asset``. ``spec_of(folder)`` gives a folder's
specification (with a trailing slash) from the files around it: its nearest package (a folder
with an ``__init__.py``) and the packages around that make the dotted name, the rest the path.
"""

from __future__ import annotations

import functools
from pathlib import Path


@functools.lru_cache(maxsize=16)
def spec_of(folder: Path) -> str | None:
    """``pkg.sub:rel/`` for ``folder`` (``pkg/sub/rel``, ``pkg`` and ``pkg/sub`` packages), or
    ``pkg:`` when it is the package itself; ``None`` when no ancestor is a package."""
    folder = folder.resolve()
    package = next((d for d in (folder, *folder.parents) if (d / "__init__.py").is_file()), None)
    if package is None:
        return None
    top = package
    while (top.parent / "__init__.py").is_file():
        top = top.parent
    dotted = ".".join(package.relative_to(top.parent).parts)
    rel = folder.relative_to(package).as_posix()
    return f"{dotted}:" if rel == "." else f"{dotted}:{rel}/"

"""Whether a source file is still the one the current build was made from.

An app can write into its own static folder while it runs: Flask-Admin's ``FileAdmin`` over
``static/`` (its documented use) edits, uploads, renames and deletes files there, and an upload
field may save into it. The build is a snapshot taken before: answered from it, an unhashed URL
(``/static/d1/notes.txt``) keeps serving the bytes the build copied after an admin edited the
file, and keeps serving a file the admin deleted. ``SourceFreshness.changed(key)`` says that the
file behind manifest key ``key`` is no longer the build's: it is gone from the source folder, or
was modified after the build's manifest was written. Such a URL is then the app's to answer
(Flask's static route: the live file, or its 404), as before adoption.

The rule costs one ``stat`` of the file and one of the manifest, so it is asked only on the
unhashed (``no-cache``) path, never for a hashed name. A source folder that is not there at all
(a deployment that ships the build without its sources) changes nothing: the build answers.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..manifest import MANIFEST_NAME, stamp_of


class SourceFreshness:
    """``changed(key)`` for the manifest keys of the build in ``output``, made from the files
    of ``source`` (module doc)."""

    def __init__(self, source: str | os.PathLike[str], output: str | os.PathLike[str]) -> None:
        self.source = str(source)
        self.manifest = str(Path(output) / MANIFEST_NAME)

    def changed(self, key: str) -> bool:
        """Whether ``key``'s source file was removed or modified since the current build."""
        try:
            st = os.stat(os.path.join(self.source, key.lstrip("/")))
        except (FileNotFoundError, NotADirectoryError):
            return os.path.isdir(self.source)  # gone, unless the whole folder is absent
        except (OSError, ValueError):  # unreadable, or a NUL in the name: the build answers
            return False
        built = stamp_of(self.manifest)
        return built is not None and st.st_mtime_ns > built[1]


__all__ = ["SourceFreshness"]

"""Libraries that find their own files at run time from their script's URL (CKEditor, TinyMCE,
Ace, MathJax): such a script must keep its name and its folder, or it loads its parts from the
wrong place and 404s. Used by ``init`` (the folder is kept whole) and by the Flask extension's
blueprint static URLs (the script is not hashed). Also for ``init``: files another script
names by their URL (``named_in_scripts``), which must keep their names too."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

from jinja2 import TemplateNotFound

from ..stages.jsrefs import SCRIPT_EXTS, relative_imports

# Folder names that hold an app's own scripts side by side, not one library's tree.
GENERIC_DIRS = {
    "js",
    "javascript",
    "javascripts",
    "script",
    "scripts",
    "vendor",
    "vendors",
    "vendored",  # pretalx's static/vendored: htmx beside apexcharts/, choices/, fullcalendar/
    "lib",
    "libs",
    "dist",
    "assets",
    "static",
}


#: how a script learns its own URL: ``document.currentScript`` (TinyMCE, Ace, MathJax 3,
#: webpack's automatic public path), a scan of the page's ``<script>`` elements for its own
#: name (CKEditor 4, MathJax 2, Prism's autoloader, Leaflet 0.7), ``import.meta.url``. jQuery,
#: Chart.js, Bootstrap, Select2, DataTables, moment and flatpickr do none of these.
_FINDS_OWN_URL = re.compile(
    r"currentScript|getElementsByTagName\(\s*[\"']script[\"']\s*\)"
    r"|querySelectorAll\(\s*[\"']script|document\.scripts\b|import\.meta\.url"
)


def finds_own_url(text: str) -> bool:
    """Whether a script's ``text`` reads its own URL (``_FINDS_OWN_URL``)."""
    return _FINDS_OWN_URL.search(text) is not None


def read_script(folder: Path, script: str) -> str | None:
    """The text of ``script`` under ``folder`` (``None`` when it cannot be read)."""
    try:
        return (folder / script).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def self_locating(
    scripts: list[str], files: Collection[str], static_dir: Path | None = None
) -> list[str]:
    """Folders of libraries that load their own files at run time by URLs relative to their
    ``<script src>`` (CKEditor's ``ckeditor.js`` with ``lang/``, ``plugins/``, ``skins/``;
    TinyMCE, Ace, MathJax): a template-loaded script whose folder is not a generic one
    (``js/``, ``vendor/``, ...) and has a subfolder holding scripts no template loads.

    Such a library finds its base URL from its own file name (``ckeditor.js``), so a
    hashed or bundled copy of it looks for its files under the page's URL and 404s; its folder
    is copied as it is (``static.keep_names``), neither bundled nor resized. With
    ``static_dir``, the script must also read its own URL (``finds_own_url``): helpdesk's
    ``vendor/jquery/`` with its ``src/`` modules is no such library."""
    loaded = set(scripts)
    found: list[str] = []
    for script in scripts:
        folder = Path(script).parent.as_posix()
        prefix = folder + "/"
        if any(prefix.startswith(d + "/") for d in found) or folder in found:
            continue
        if not locates_itself(script, files, loaded):
            continue
        # read only a script its folder's layout already marks (unreadable: as the layout says)
        text = read_script(static_dir, script) if static_dir is not None else None
        if text is None or finds_own_url(text):
            found = [d for d in found if not d.startswith(prefix)] + [folder]
    return sorted(found)


def locates_itself(
    script: str, files: Iterable[str], loaded: Collection[str] = (), own_url: bool = True
) -> bool:
    """Whether ``script`` (a path among ``files``, relative to their folder) looks like a library
    that finds its own files from its file name (see ``self_locating``): its folder is not a
    generic one and has a subfolder holding scripts that are not in ``loaded``; and it reads
    its own URL (``own_url``: ``finds_own_url`` of its text, true when that is unknown)."""
    folder = posixpath.dirname(script)
    if script.endswith(".nocache.js") and folder:
        return True  # GWT's bootstrap script: it loads <hash>.cache.js from its own URL
    if not folder or posixpath.basename(folder).lower() in GENERIC_DIRS:
        return False
    if not own_url:
        return False
    prefix = folder + "/"
    return any(
        f.startswith(prefix) and "/" in f[len(prefix) :] and f.endswith(".js") and f not in loaded
        for f in files
    )


def names_itself(text: str, filename: str) -> bool:
    """Whether a script's ``text`` holds its own path (``filename``, relative to its static
    folder) at the end of a string literal: OctoPrint's G-code viewer worker finds the site's
    base URL as ``self.location.href`` minus
    ``"/plugin/gcodeviewer/static/js/viewer/worker.js".length``; hashed, the name is longer,
    the base came out as ``/plugin/g`` and its API request 404ed. Such a script keeps its
    name. (A ``sourceMappingURL`` comment naming ``app.js.map`` is no string literal.)"""
    name = filename.lstrip("/")
    if not name:
        return False
    return re.search(r"""["'`][^"'`\n]*\b""" + re.escape(name) + r"""["'`]""", text) is not None


def named_in_scripts(
    static_dir: Path, files: Iterable[str], public_path: str, keys: Iterable[str]
) -> list[str]:
    """The ``keys`` (scripts and stylesheets the templates load) whose URL, ``public_path``
    + key, another script of the static folder names: calibre-web's ``main.js`` finds the
    app's base URL with ``src.search("/static/js/libs/jquery.min.js")`` on jQuery's tag, so
    with jQuery hashed it read the base as ``""`` and, under a URL prefix, sent its requests
    to the site's root. Such a file keeps its name (``static.keep_names``)."""
    wanted = {public_path + k: k for k in keys}
    found: set[str] = set()
    for rel in files:
        if not rel.endswith((".js", ".mjs")) or len(found) == len(wanted):
            continue
        try:
            text = (static_dir / rel).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        found.update(k for url, k in wanted.items() if k != rel and url in text)
    return sorted(found)


def imported_back(static_dir: Path, files: Iterable[str], scripts: Collection[str]) -> list[str]:
    """The ``scripts`` (module scripts the templates load) that another script of the static
    folder imports by relative specifier: the entry of a prebuilt, code-split module graph
    (SearXNG's Vite-built ``sxng-core.min.js``, whose ``chunk/*.min.js`` import
    ``../sxng-core.min.js``). Bundled again by esbuild, the page would run the bundle while
    the chunks import the file by its own URL: two instances of the module. It is copied as
    it is instead (``static``), where it keeps its name (``stages.jsrefs``)."""
    wanted = set(scripts)
    found: set[str] = set()
    for rel in files:
        if not rel.endswith(SCRIPT_EXTS) or rel in wanted:
            continue
        try:
            text = (static_dir / rel).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        found.update(relative_imports(text, rel) & wanted)
    return sorted(found)


def template_texts(env: Any) -> str:
    """The sources of every template the Jinja ``env`` lists, joined by newlines (a template
    that cannot be read, or a loader that cannot list, adds nothing): what ``AssetPipe(app)``
    searches for the scripts the pages load themselves (``loaded`` of ``locates_itself``)."""
    try:
        names = env.list_templates()
    except (TypeError, AttributeError):  # a loader without ``list_templates``
        return ""
    texts = []
    for name in names:
        try:
            texts.append(env.loader.get_source(env, name)[0])
        except (TemplateNotFound, OSError, UnicodeDecodeError):
            continue
    return "\n".join(texts)

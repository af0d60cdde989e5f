"""How templates name static files through an expression, for ``init``'s reference scans.

- ``{{ EXPR }}/P`` where EXPR stands for a static folder's URL (AppSeed's
  ``{{ config.ASSETS_ROOT }}/css/app.css``): ``find_prefixes`` proposes ``templates.prefixes``.
- ``{{ ROOT }}`` + the static URL (Datasette's ``{{ base_url }}-/static/app.css``): a
  reference the build rewrites with no configuration (``rewrite.refs.root_ref``);
  ``unprefixed`` writes it as the literal URL. An app that is not Flask has no static route
  ``init`` can read: ``public_path_of`` reads the URL from such references (``/-/static/``).
- ``{{ F('K') }}``, a function of the app that returns K's URL (Datasette's
  ``{{ urls.static('app.css') }}``): ``static_functions_of`` proposes
  ``templates.static_functions``, and ``unprefixed`` writes such a call as the literal URL.
- Flask-Versioned's filter (privacyIDEA): ``{{ instance }}/{{ "static/css/app.css" | versioned
  }}``, a path relative to the app's root path that the filter gives a ``?v=<mtime>`` suffix,
  after the request's script root. Unseen, ``init`` listed none of privacyIDEA's 74 classic
  scripts and 11 stylesheets as entries: they were copied, and the build could not tell that
  its pages load them as classic scripts. The build rewrites such a reference
  (``rewrite.refs``, kind ``versioned``); ``AssetPipe(app)`` names the hashed file of a
  computed one (``assetpipe.flasknames.name_versioned_files``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping

from ..rewrite.djangotags import tag_re
from ..rewrite.refs import PYRAMID_STATIC, ROOT_EXPR, VERSIONED


def unversioned(text: str, static_root: str, public_path: str) -> str:
    """``text`` with each Flask-Versioned reference to a file under ``static_root`` (the
    static folder relative to the app's root path, ``"static/"``), and the script root before
    it (``refs.VERSIONED``), written as its URL, ``public_path`` + the file's key; others are
    left as they are."""

    def sub(m: re.Match[str]) -> str:
        path = m.group("path").lstrip("/")
        if not path.startswith(static_root):
            return m.group(0)
        return public_path + path[len(static_root) :]

    return VERSIONED.sub(sub, text)


#: ``src="{{ EXPR }}/P"`` / ``href=...`` where EXPR is a plain name (``config.ASSETS_ROOT``,
#: ``config['ASSETS_ROOT']``): the candidates of ``templates.prefixes``
_PREFIXED = re.compile(
    r"""\b(?:src|href)\s*=\s*["']\s*\{\{-?\s*([\w.]+(?:\[["'][\w.]+["']\])?)\s*-?\}\}"""
    r"""/([^"'\s>{}?#]+\.\w+)"""
)


#: a ``src``/``href`` value's path, after an optional ``{{ ROOT }}`` (``public_path_of``)
_PATH_VALUE = re.compile(
    r"""\b(?:src|href)\s*=\s*["']\s*(?:\{\{-?\s*([A-Za-z_][\w.]*)\s*-?\}\})?([^"'\s>{}?#]+)"""
)


def public_path_of(texts: list[str], present: set[str], prefixes: Mapping[str, str]) -> str | None:
    """The URL the templates name the static folder's files under (``/-/static/`` for
    Datasette's ``{{ base_url }}-/static/app.css``), read from each ``src``/``href`` path,
    after an optional ``{{ ROOT }}``, that ends with a file of the folder (``present``): the
    most frequent URL before the file, if at least two references agree; else ``None``. A
    URL relative to the page (``./static/``, ``../static/``) tells none.
    A ``{{ EXPR }}`` of ``prefixes`` (``find_prefixes``) is a folder's URL, whatever the
    static URL: its references tell nothing (pywb's ``{{ static_prefix }}/css/base.css``,
    ``static_prefix`` being ``http://host/static``, read as the URL ``/``)."""
    hits: Counter[str] = Counter()
    for text in texts:
        for m in _PATH_VALUE.finditer(text):
            if m.group(1) in prefixes:
                continue
            path = m.group(2)
            cuts = [i + 1 for i, c in enumerate(path) if c == "/"]
            head = next((path[:i] for i in cuts if path[i:] in present), None)
            if head is not None and not head.startswith(("//", "http:", "https:", ".")):
                hits["/" + head.lstrip("/")] += 1
    if not hits:
        return None
    best, n = hits.most_common(1)[0]
    return best if n >= 2 else None


def unrooted(text: str, public_path: str) -> str:
    """``text`` with each ``{{ ROOT }}`` + static URL at the start of an attribute value
    written as the static URL alone (``public_path``), as the build reads it
    (``rewrite.refs.root_ref``)."""
    if public_path == "/":
        return text
    urls = "|".join(map(re.escape, (public_path, public_path[1:])))
    root = ROOT_EXPR.pattern.removeprefix(r"\s*")
    return re.sub(rf"""(["']\s*){root}(?:{urls})""", lambda m: m.group(1) + public_path, text)


#: ``src="{{ F('K') }}`` / ``href=...``, F a dotted name (``static_functions_of``)
_CALL_VALUE = re.compile(
    r"""\b(?:src|href)\s*=\s*["']\s*\{\{-?\s*([A-Za-z_][\w.]*)\(\s*["']/?([^"'{}~]+)["']\s*\)"""
)


def static_functions_of(texts: list[str], present: set[str]) -> tuple[str, ...]:
    """The ``templates.static_functions`` of templates that name assets as ``{{ F('K') }}``:
    each function (not ``url_for`` or ``asset_url``) called at least twice in a ``src`` or
    ``href`` with a file of the static folder (``present``), and so in most of its calls.
    MediaGoblin's ``request.staticdirect('/css/base.css')`` also names files of git submodules
    a checkout may lack (``css/extlib/skeleton.css``) and of symlinked folders: those calls are
    missing assets (``missing_assets: warn``), not a reason to leave every other one unhashed."""
    calls: dict[str, list[str]] = {}
    for text in texts:
        for m in _CALL_VALUE.finditer(text):
            calls.setdefault(m.group(1), []).append(m.group(2))
    return tuple(
        sorted(
            f
            for f, keys in calls.items()
            if f not in ("url_for", "asset_url")
            and (named := sum(k in present for k in keys)) >= 2
            and 2 * named > len(keys)
        )
    )


def uncalled(text: str, functions: tuple[str, ...], public_path: str) -> str:
    """``text`` with each ``{{ F('K') }}`` of ``functions`` written as the literal URL
    ``public_path`` + K, and each Django ``{% F 'K' ... %}`` too (``rewrite.djangotags``)."""
    if not functions:
        return text
    names = "|".join(map(re.escape, functions))
    call = rf"""\{{\{{-?\s*(?:{names})\(\s*(["'])/?([^"'{{}}~]+)\1\s*\)\s*-?\}}\}}"""
    text = re.sub(call, lambda m: public_path + m.group(2), text)
    return tag_re(tuple(functions)).sub(lambda m: public_path + m.group("key"), text)


def unspecced(text: str, spec: str | None, public_path: str) -> str:
    """``text`` with each Pyramid ``{{ request.static_url('SPEC' + K) }}`` (or ``static_path``)
    written as the literal URL ``public_path`` + K, ``spec`` the static folder's asset
    specification (``pkg:static/``)."""
    if not spec:
        return text

    def sub(m: re.Match[str]) -> str:
        call = PYRAMID_STATIC.fullmatch(m.group(1))
        if call is None or not call.group("spec").startswith(spec):
            return m.group(0)
        return public_path + call.group("spec")[len(spec) :]

    return re.sub(r"\{\{-?\s*(.*?)\s*-?\}\}", sub, text)


def find_prefixes(texts: list[str], present: set[str]) -> dict[str, str]:
    """The ``templates.prefixes`` of templates that name assets as ``{{ EXPR }}/P``: per
    expression, the folder F of the static folder for which most of its paths P exist as
    ``F/P`` (at least two of them, and four in five)."""
    paths: dict[str, set[str]] = {}
    for text in texts:
        for m in _PREFIXED.finditer(text):
            paths.setdefault(" ".join(m.group(1).split()), set()).add(m.group(2))
    out: dict[str, str] = {}
    for expr, ps in sorted(paths.items()):
        hits: dict[str, int] = {}
        for f in present:
            for p in ps:
                if f == p:
                    hits[""] = hits.get("", 0) + 1
                elif f.endswith("/" + p):
                    folder = f[: -len(p) - 1]
                    hits[folder] = hits.get(folder, 0) + 1
        if not hits:
            continue
        folder, n = max(hits.items(), key=lambda kv: (kv[1], -len(kv[0])))
        if n >= 2 and n * 5 >= len(ps) * 4:
            out[expr] = folder
    return out


def unprefixed(
    text: str,
    prefixes: dict[str, str],
    public_path: str,
    versioned: str | None = None,
    functions: tuple[str, ...] = (),
    routes: tuple[str, ...] = (),
    spec: str | None = None,
) -> str:
    """``text`` with each ``{{ EXPR }}/`` of ``prefixes`` written as the literal URL of its
    folder, each ``{{ ROOT }}`` + static URL as that URL (``unrooted``), each call of
    ``functions`` as its file's URL (``uncalled``), each ``url_for(R, ...)`` of ``routes``
    (the static mount's name when it is not ``static``) as ``url_for('static', ...)``, and
    each Flask-Versioned reference to a file of the static folder (``versioned``:
    that folder relative to the app's root path, ``"static/"``) as its literal URL
    (``unversioned``), and each Pyramid ``request.static_url`` of a file of the static folder
    (``spec``: its asset specification) as its literal URL (``unspecced``), so that
    ``discover``'s reference scans see them as literal ones."""
    if versioned is not None:
        text = unversioned(text, versioned, public_path)
    if routes:
        names = "|".join(map(re.escape, routes))
        text = re.sub(rf"""url_for\(\s*(["'])(?:{names})\1""", "url_for('static'", text)
    text = uncalled(unrooted(text, public_path), functions, public_path)
    text = unspecced(text, spec, public_path)
    if not prefixes:
        return text

    def sub(m: re.Match[str]) -> str:
        folder = prefixes.get(" ".join(m.group(1).split()))
        if folder is None:
            return m.group(0)
        return public_path + (folder + "/" if folder else "")

    return re.sub(r"\{\{-?\s*(.*?)\s*-?\}\}/", sub, text)

"""Which ``<script src>`` tags of a template load which asset, as a module or a classic script.

The scripts stage reads this before it bundles: an entry a classic ``<script>`` loads must keep
its top-level declarations as globals, so it is not bundled as an ES module. It uses
the rewriter's scanner and reference rules, so it sees exactly the tags the rewrite will edit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..assetspec import spec_of
from ..lazyre import lazy
from ..pipeline.codeprint import fact_kind
from ..records import dataclass
from .model import prefix_map
from .refs import STATIC_ROUTES, classify
from .scanner import Scan, ScanError, Tag, scan
from .syntax import Syntax, standard

if TYPE_CHECKING:
    from ..config import Config
    from ..pipeline.sources import Sources

#: ``type`` values that make a ``<script>`` a classic script (HTML's "JavaScript MIME types";
#: absent or empty counts too). ``module`` makes it a module; anything else (``text/template``,
#: ``importmap``, ``application/json``) is not a script the browser runs from ``src``.
CLASSIC_TYPES = frozenset(
    {
        "",
        "text/javascript",
        "application/javascript",
        "application/ecmascript",
        "text/ecmascript",
        "application/x-javascript",
        "text/jscript",
        "text/x-javascript",
    }
)


#: an inline script that writes markup into the page as it is parsed
_WRITES = lazy(r"\bdocument\s*\.\s*write(?:ln)?\s*\(")


@dataclass(frozen=True)
class ScriptUse:
    """A ``<script src>`` that loads manifest key ``key``; ``line`` is 1-based."""

    key: str
    module: bool
    line: int


def script_uses(
    text: str,
    public_path: str,
    prefixes: Mapping[str, str] | None = None,
    routes: tuple[str, ...] = STATIC_ROUTES,
    functions: tuple[str, ...] = (),
    spec: str | None = None,
    syntax: Syntax | None = None,
) -> list[ScriptUse]:
    """Every ``<script src>`` in ``text`` whose ``src`` names an asset (a literal
    ``public_path + K`` URL, ``url_for('static', filename=K)``, ``asset_url(K)`` or a
    ``prefixes`` expression's ``{{ EXPR }}/P``: ``refs.classify``), with
    whether it loads it as a module. A ``type`` written with Jinja, or a script type the browser
    does not run, is left out; ``syntax``: the templates' delimiters (``templates.syntax``).
    Raises the scanner's ``ScanError``."""
    std = standard(text, syntax)
    text = text if std is None else std.text
    found = scan(text)
    out: list[ScriptUse] = []
    for tag in found.tags:
        if tag.name != "script":
            continue
        src = tag.get("src")
        if src is None or src.value_start is None or src.value_end is None:
            out += _written_uses(text, tag, found, public_path, prefixes, routes, functions, spec)
            continue
        value = text[src.value_start : src.value_end]
        ref = classify(value, public_path, prefixes, routes, functions, spec)
        if ref is None or not ref.resolvable or not ref.key:
            continue
        kind = tag.get("type")
        if kind is None or kind.value_start is None or kind.value_end is None:
            value = ""
        else:
            value = text[kind.value_start : kind.value_end]
            if "{{" in value or "{%" in value or kind.conditional:
                continue
        value = value.strip().lower()
        if value != "module" and value not in CLASSIC_TYPES:
            continue
        out.append(ScriptUse(ref.key, value == "module", found.line_col(tag.start)[0]))
    return out


def _written_uses(
    text: str,
    tag: Tag,
    found: Scan,
    public_path: str,
    prefixes: Mapping[str, str] | None,
    routes: tuple[str, ...],
    functions: tuple[str, ...],
    spec: str | None,
) -> list[ScriptUse]:
    """The ``<script src>`` tags an inline script writes into the page, as the local fallback
    of a CDN copy does (``window.jQuery || document.write('<script src="{% static
    'js/jquery.min.js' %}"><\\/script>')``, HTML5 Boilerplate's and django-oscar's): the browser
    loads that file as a classic script too. Unseen, the entry was built as an ES module and
    ended in ``export default``: on oscar's pages, with the CDN unreachable, jQuery stopped on a
    syntax error and every script after it with it. Only a body that calls ``document.write``
    counts (markup in a string for ``innerHTML`` never runs). Lines are the template's."""
    if tag.element_end is None or tag.opaque is not None:
        return []
    body = text[tag.end : tag.element_end]
    if "<script" not in body.lower() or not _WRITES.search(body):
        return []
    try:
        inner = script_uses(body, public_path, prefixes, routes, functions, spec)
    except ScanError:
        return []
    first = found.line_col(tag.end)[0]
    return [ScriptUse(u.key, u.module, first + u.line - 1) for u in inner]


def how_loaded(uses: Iterable[ScriptUse], wanted: Callable[[str], bool]) -> list[list[str]]:
    """What of a template's ``uses`` decides how the scripts stage builds entries: each
    ``[key, "module" | "classic"]`` once, sorted, for the keys ``wanted`` says are entries. The
    build records it per template (report.json's ``scripts.script_tags``), and an edit that
    changes it reruns the scripts stage: a ``type="module"`` added to a tag turns a classic
    entry into a module one."""
    pairs = {(u.key, "module" if u.module else "classic") for u in uses if wanted(u.key)}
    return [list(pair) for pair in sorted(pairs)]


def tags_of(config: Config, sources: Sources, rel: str) -> list[ScriptUse]:
    """The ``<script src>`` uses of template ``rel`` (``script_uses``), memoised with its
    content hash (``Sources.fact``): the scripts stage and the rebuild planner (``dev.plan``,
    which compares them with the last build's) share one scan of an edited template. An
    unreadable or unscannable template has none."""
    public_path = config.public_path
    prefixes = prefix_map(config.templates.prefixes)
    routes, functions = config.templates.static_routes, config.templates.static_functions
    spec = spec_of(config.source)
    pairs = config.templates.syntax
    syntax = Syntax.of(pairs)
    memo = fact_kind(
        "scripts.tags",
        "bundling",
        public_path,
        sorted(prefixes.items()),
        routes,
        functions,
        spec,
        *([pairs] if pairs else []),
    )

    def scan(path: Path) -> list[list[Any]]:
        try:
            text = path.read_text(encoding="utf-8")
            uses = script_uses(text, public_path, prefixes, routes, functions, spec, syntax)
            return [[u.key, u.module, u.line] for u in uses]
        except (OSError, UnicodeDecodeError, ScanError):
            return []

    return [ScriptUse(str(k), bool(m), int(n)) for k, m, n in sources.fact(rel, memo, scan)]

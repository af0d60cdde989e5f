"""Which references in a template name an asset, and how each is rewritten.

An attribute value refers to the asset with manifest key K in one of three ways:

- ``literal``: the URL ``public_path + K`` (a query or fragment may follow). The K part is
  rewritten to the entry's ``file``, so ``/static/img/hero.jpg`` becomes
  ``/static/img/hero-960w-HASH.webp``.
- ``url_for``: ``{{ url_for('static', filename='K') }}`` with a literal K, Starlette's and
  FastAPI's ``{{ url_for('static', path='K') }}`` (``path='/K'`` too), or Litestar's ``{{
  url_for('static', file_path='K') }}`` (a static files router named ``static``). Only the string literal
  K is rewritten to ``file``: the call stays, so SCRIPT_NAME and the app's static route still
  apply. This is the one Jinja string literal the rewriter may change.
- ``static_tag``: Django's ``{% static 'K' %}`` (``{% load static %}``), the whole value or
  followed by a query kept as written (linkding's ``?v={{ app_version }}``, Baby Buddy's
  ``?v=20211218``): only K is rewritten, so the tag stays and Django's ``STATIC_URL`` (and its storage) still apply.
  Jinja has no ``static`` tag, so no Jinja template holds one.
- ``asset_url``: ``{{ asset_url('K') }}``: left as written (a run-time manifest lookup), but K
  still gives width/height/srcset.

- ``prefixed``: ``{{ EXPR }}/P`` where ``templates.prefixes`` says that the Jinja expression
  EXPR stands for the URL of a folder F of the static folder (AppSeed's ``{{ config.ASSETS_ROOT
  }}/css/app.css``, F ``assets``): K is ``F/P``, and only P is rewritten, to ``file`` minus
  ``F/`` (the expression stays, so the app may still move that folder). ``{{ ROOT }}`` + the
  static URL, where ROOT is a plain name standing for the app's root URL, is ``prefixed`` too
  with no configuration (F empty): Datasette's ``{{ base_url }}-/static/app.css`` under
  ``public_path: /-/static/`` (``base_url`` ends with a slash), Flask's ``{{
  request.script_root }}/static/app.css`` (``script_root`` does not); only K is rewritten, the
  root stays, so a mounted app keeps its prefix.

- ``versioned``: Flask-Versioned's ``{{ "static/K" | versioned }}`` (privacyIDEA's ``{{ instance
  }}/{{ "static/app.js" | versioned }}``): a path relative to the app's root path that the
  filter gives a ``?v=<mtime>`` suffix. Its folder must be ``public_path`` without the leading
  slash (``static/`` for ``/static/``, Flask's layout). The whole ``{{ }}`` is rewritten to the
  literal path of ``file`` (``static/app-HASH.js``): the hashed name is its own version, and the
  filter, given a name only the build has, would fail on the missing source file. What comes
  before it (the script root) stays.

- ``call``: ``{{ F('K') }}`` where ``templates.static_functions`` lists F, a function of the app
  that returns K's URL (Datasette's ``{{ urls.static('app.css') }}``, which gives
  ``/-/static/app.css``). Only the literal K is rewritten, as ``url_for``'s is. Pyramid's
  ``{{ request.static_url('pkg:static/K') }}`` (and ``static_path``) too, with no
  configuration, when ``pkg:static/`` is the static folder's asset specification. A Django
  tag F of those (``{% F 'K' v=... %}``) is a ``static_tag`` (``djangotags``).

- ``unrooted``: ``public_path`` without its leading slash, then K (Glances' ``<script
  src="static/glances.js">``): a URL relative to the page, which names ``/static/K`` on a page
  at the app's root (``/``, ``/browser``) and ``/prefix/static/K`` when the app is mounted under
  a prefix. Only K is rewritten, so the URL stays relative and a mount keeps working. It is a
  reference only when the build has K; otherwise it stays ``relative``.

A Jinja query after the path (a cache-busting ``?{{ app_css_hash }}``) is kept as written and
does not make the reference an expression.

Anything else is ``relative``, ``other`` (another prefix, an absolute URL elsewhere) or
``dynamic`` (a Jinja expression): left alone and listed as unresolved in report.json.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote, unquote

from ..lazyre import lazy
from ..records import dataclass
from .djangotags import tag_re

#: the route names whose ``url_for`` names a file of the static folder, by default
#: (``templates.static_routes``)
STATIC_ROUTES = ("static",)


@functools.cache
def url_for_re(routes: tuple[str, ...] = STATIC_ROUTES) -> re.Pattern[str]:
    """``url_for('static', filename='K')`` (Flask), ``url_for('static', path='K')`` (Starlette,
    whose docs write ``path='/K'``: the slash is not part of K) or ``url_for('static',
    file_path='K')`` (Litestar's static files router), for each of ``routes`` in place
    of ``static``, other keyword arguments after K allowed (``_external=True``,
    ``v=config.VERSION``, one level of calls among them); K is the group ``key``, the keyword
    the group ``param`` (or ``param2``), the route name the group ``route``."""
    names = "|".join(map(re.escape, routes))
    return re.compile(
        rf"""url_for\(\s*(["'])(?P<route>{names})\1\s*,\s*(?:(?P<param>filename)\s*=\s*(["'])|"""
        r"""(?P<param2>path|file_path)\s*=\s*(["'])/?)(?P<key>[^"'\\{}~]*)(?:\4|\6)"""
        r"""\s*(?:,[^(){}%]*(?:\([^(){}%]*\)[^(){}%]*)*)?\)"""
    )


@functools.cache
def _url_for_any(routes: tuple[str, ...]) -> re.Pattern[str]:
    names = "|".join(map(re.escape, routes))
    return re.compile(rf"""url_for\(\s*["'](?:{names})["']""")


@functools.cache
def call_re(functions: tuple[str, ...]) -> re.Pattern[str]:
    """``F('K')`` for each F of ``functions`` (``templates.static_functions``): the group ``fn``
    is F, ``key`` is K."""
    names = "|".join(map(re.escape, functions))
    return re.compile(rf"""(?<![\w.])(?P<fn>{names})\(\s*(["'])(?P<key>[^"'\\{{}}~]+)\2\s*\)""")


#: Pyramid's ``request.static_url('SPEC')`` / ``request.static_path('SPEC')``, or
#: pyramid_jinja2's filters ``'SPEC' | static_url`` / ``static_path`` (pypicloud's templates),
#: SPEC an asset specification (``pkg:static/css/app.css``): a ``call`` reference when SPEC
#: starts with the static folder's own specification (``static_spec``, ``pkg:static/``); K is
#: the rest. The group ``fn`` is the call's function, ``filter`` the filter's name
PYRAMID_STATIC = lazy(
    r"""(?<![\w.])(?:(?P<fn>request\.static_(?:url|path))\(\s*)?(["'])(?P<spec>[^"'\\{}~]+)\2"""
    r"""(?(fn)\s*\)|\s*\|\s*(?P<filter>static_(?:url|path))\b)"""
)
#: Django's ``{% static 'K' %}`` (``static_tag``); not ``{% static 'K' as name %}``, which
#: renders nothing where it stands
STATIC_TAG = lazy(r"""\{%\s*static\s+(["'])(?P<key>[^"'\\{}%~]+)\1\s*%\}""")
#: ``STATIC_TAG`` anywhere in a template's text, ``{% static 'K' as name %}`` too (its URL is
#: ``{{ name }}`` wherever the template writes it): ``leftovers.url_for_elsewhere``
STATIC_TAG_ANY = lazy(
    r"""\{%\s*static\s+(["'])(?P<key>[^"'\\{}%~]+)\1(?:\s+as\s+[A-Za-z_]\w*)?\s*%\}"""
)
_ASSET_URL = lazy(r"""asset_url\(\s*(["'])([^"'\\{}~]*)\1\s*\)""")
_JINJA_EXPR = lazy(r"\{\{.*?\}\}", re.DOTALL)
#: ``{{ EXPR }}/`` at the start of a value (``prefixed``)
_PREFIX_EXPR = lazy(r"\s*\{\{-?\s*(.*?)\s*-?\}\}/", re.DOTALL)
#: Django's ``{% get_static_prefix %}`` / ``{{ STATIC_URL }}`` at the start of a value: the
#: static URL itself, K written after it (``static_prefix_ref``)
STATIC_PREFIX = lazy(r"\s*(?:\{%\s*get_static_prefix\s*%\}|\{\{\s*STATIC_URL\s*\}\})")
#: ``{{ ROOT }}`` at the start of a value, ROOT a plain (dotted) name: the app's root URL when
#: the static URL follows it (``root_ref``)
ROOT_EXPR = lazy(r"\s*\{\{-?\s*[A-Za-z_][\w.]*\s*-?\}\}")
#: ``[{{ ROOT }}/]{{ "PATH" | versioned }}`` (``versioned``): ROOT, a plain name, is the script
#: root the app puts first (privacyIDEA's ``instance``); ``init`` reads templates with it too
VERSIONED = lazy(
    r"""(?P<root>\{\{-?\s*[\w.]+\s*-?\}\}/)?"""
    r"""(?P<expr>\{\{-?\s*(["'])(?P<path>[^"'{}\\]+)\3\s*\|\s*versioned\s*-?\}\})"""
)


_RESOLVABLE = (
    "literal",
    "url_for",
    "static_tag",
    "call",
    "asset_url",
    "prefixed",
    "versioned",
    "unrooted",
)


@dataclass(frozen=True)
class Ref:
    """A classified reference inside one attribute value. ``start``/``end`` (relative to the
    value) delimit the text a rewrite replaces: the K part of a literal URL, the K literal of a
    ``url_for`` call; ``key`` is K as the manifest spells it."""

    kind: str  # literal | url_for | static_tag | call | asset_url | prefixed | versioned | ...
    key: str | None = None
    start: int = 0
    end: int = 0
    encoded: bool = False
    #: ``prefixed``: the folder F the expression stands for (K is ``F/`` + the span's path),
    #: and the value's text before the span (``{{ EXPR }}/``)
    folder: str = ""
    head: str = ""
    #: ``versioned``: the path before K in the filter's string (``static/``)
    lead: str = ""
    #: ``url_for``: the keyword K is given as (``filename``: Flask; ``path``: Starlette;
    #: ``file_path``: Litestar), and
    #: the route named (``static``, or another of ``templates.static_routes``); ``call``: the
    #: function
    param: str = "filename"
    route: str = "static"

    @property
    def resolvable(self) -> bool:
        return self.kind in _RESOLVABLE

    @property
    def rewritable(self) -> bool:
        return self.kind in _RESOLVABLE and self.kind != "asset_url"


def classify(
    value: str,
    public_path: str,
    prefixes: Mapping[str, str] | None = None,
    routes: tuple[str, ...] = STATIC_ROUTES,
    functions: tuple[str, ...] = (),
    spec: str | None = None,
) -> Ref | None:
    """Classify one URL-valued attribute value; ``None`` for values that refer to nothing
    (empty, ``data:``, ``#fragment``, ``mailto:``, ``javascript:``) or to a folder, no file
    (``url_for('static', filename='')``, ``/static/css/``: funnel's ``preconnect`` to its
    static host failed the build as a missing asset). ``prefixes``: Jinja
    expression (whitespace collapsed) → the static folder it stands for (``templates.prefixes``);
    ``routes``: the route names whose ``url_for`` names a static file (``templates.static_routes``);
    ``functions``: the functions whose argument does (``templates.static_functions``);
    ``spec``: the static folder's asset specification (``pkg:static/``), for Pyramid's
    ``request.static_url``."""
    ref = _classify(value, public_path, prefixes, routes, functions, spec)
    if ref is not None and ref.key is not None and (not ref.key or ref.key.endswith("/")):
        return None
    return ref


def _classify(
    value: str,
    public_path: str,
    prefixes: Mapping[str, str] | None,
    routes: tuple[str, ...],
    functions: tuple[str, ...],
    spec: str | None,
) -> Ref | None:
    """``classify``, a folder's reference among the references."""
    v = value.strip()
    if not v or v.startswith(("data:", "#", "mailto:", "tel:", "javascript:", "about:")):
        return None
    lead = len(value) - len(value.lstrip())
    q = _jinja_query(value)
    if q is not None:  # a literal path, an expression in its query (``?{{ app_css_hash }}``)
        ref = classify(value[:q], public_path, prefixes, routes, functions, spec)
        if ref is not None and ref.rewritable:
            return ref
    if prefixes:
        m = _PREFIX_EXPR.match(value)
        if m and "{{" not in value[m.end() :] and "{%" not in value[m.end() :]:
            folder = prefixes.get(" ".join(m.group(1).split()))
            if folder is not None:
                ref = _path_ref(value, m.end(), "prefixed")
                if ref is None or ref.key is None:
                    return ref
                key = f"{folder}/{ref.key}" if folder else ref.key
                head = value[: m.end()].lstrip()
                return Ref("prefixed", key, ref.start, ref.end, ref.encoded, folder, head)
    rooted = root_ref(value, public_path) or static_prefix_ref(value)
    if rooted is not None:
        return rooted
    if "{{" in value or "{%" in value:
        m = STATIC_TAG.match(v) or (tag_re(functions).match(v) if functions else None)
        if m and v[m.end() :][:1] in ("", "?", "#"):  # {% static 'K' %}?q, a project's tag
            key, start, end, _ = _unslashed(m, lead)
            return Ref("static_tag", key, start, end, route=m.groupdict().get("fn") or "static")
        m = VERSIONED.fullmatch(v)
        folder = public_path.lstrip("/")
        if m and folder and m.group("path").lstrip("/").startswith(folder):
            key = m.group("path").lstrip("/")[len(folder) :]
            start, end = lead + m.start("expr"), lead + m.end("expr")
            return Ref("versioned", key, start, end, head=v[: m.start("expr")], lead=folder)
        m = url_for_re(routes).search(value)
        if m and _only_expr(value, m):
            param = m.group("param") or m.group("param2")
            start, end = m.start("key"), m.end("key")
            return Ref("url_for", m.group("key"), start, end, param=param, route=m.group("route"))
        m = call_re(functions).search(value) if functions else None
        if m and _only_expr(value, m):
            key, start, end, slashes = _unslashed(m)
            return Ref("call", key, start, end, head=slashes, route=m.group("fn"))
        m = PYRAMID_STATIC.search(value) if spec else None
        if m and _only_expr(value, m) and spec and m.group("spec").startswith(spec):
            start = m.start("spec") + len(spec)
            key = value[start : m.end("spec")]
            fn = m.group("fn") or m.group("filter")
            return Ref("call", key, start, m.end("spec"), head=spec, route=fn)
        m = _ASSET_URL.search(value)
        if m and _only_expr(value, m):
            return Ref("asset_url", m.group(2), m.start(2), m.end(2))
        return Ref("dynamic")
    if v.startswith(public_path):
        return _path_ref(value, lead + len(public_path), "literal")
    if v.startswith(("/", "http:", "https:")) or re.match(r"[a-zA-Z][\w+.-]*:", v):
        return Ref("other")
    if len(public_path) > 1 and v.startswith(public_path[1:]):
        return _path_ref(value, lead + len(public_path) - 1, "unrooted") or Ref("relative")
    return Ref("relative")


def _unslashed(m: re.Match[str], lead: int = 0) -> tuple[str, int, int, str]:
    """A matched K without its leading slashes, which stay where they are: Django's storage
    drops them (django-crm's ``{% static '/admin/css/base.css' %}`` was reported as a file the
    build lacks), MediaGoblin's ``request.staticdirect('/css/base.css')`` joins K to its root.
    K, its span (after ``lead``) and the slashes."""
    raw = m.group("key")
    key = raw.lstrip("/")
    return key, lead + m.end("key") - len(key), lead + m.end("key"), raw[: len(raw) - len(key)]


def _jinja_query(value: str) -> int | None:
    """Where the query or fragment of ``value`` starts when Jinja is there (a cache-busting
    ``?{{ app_css_hash }}``, ``?v={{ version }}``) and no ``{% %}`` before it, else ``None``:
    the part before it may still name K (``classify``), and the query stays as written."""
    ends = [k for k in (value.find("?"), value.find("#")) if k >= 0]
    if not ends:
        return None
    q = min(ends)
    after = value[q:]
    return q if ("{{" in after or "{%" in after) and "{%" not in value[:q] else None


def root_ref(value: str, public_path: str) -> Ref | None:
    """The ``prefixed`` reference of ``{{ ROOT }}`` + the static URL + K (see the module doc),
    the static URL written whole after a root without a trailing slash (``/static/``) or
    without its leading slash after one that has it (``-/static/``); ``None`` for any other
    value, and under a root ``public_path`` (``/``), where any ``{{ x }}/y`` would match."""
    m = ROOT_EXPR.match(value)
    if m is None or public_path == "/":
        return None
    rest = value[m.end() :]
    if "{{" in rest or "{%" in rest:
        return None
    for lead in (public_path, public_path[1:]):
        if rest.startswith(lead):
            ref = _path_ref(value, m.end() + len(lead), "prefixed")
            if ref is None:
                return None
            head = value[: ref.start].lstrip()
            return Ref("prefixed", ref.key, ref.start, ref.end, ref.encoded, head=head)
    return None


def static_prefix_ref(value: str) -> Ref | None:
    """The ``prefixed`` reference of Django's ``{% get_static_prefix %}`` or the ``static``
    context processor's ``{{ STATIC_URL }}`` followed by a literal K (Apprise API's ``{%
    get_static_prefix %}css/materialize.min.css``, left unhashed as "built by an expression");
    ``None`` for any other value, or with a Jinja or Django construct after it."""
    m = STATIC_PREFIX.match(value)
    if m is None or "{{" in value[m.end() :] or "{%" in value[m.end() :]:
        return None
    ref = _path_ref(value, m.end(), "prefixed")
    if ref is None:
        return None
    return Ref(
        "prefixed", ref.key, ref.start, ref.end, ref.encoded, head=value[: ref.start].lstrip()
    )


def route_check(public_path: str, manifest: Mapping[str, Any]) -> Callable[[str], bool]:
    """A test of whether a literal ``public_path + key`` the build lacks is no asset reference:
    under a root ``public_path`` (``"/"``: Flask's ``static_url_path=""``, changedetection.io)
    a link to one of the app's routes (``/settings``, ``/``), a protocol-relative URL
    (``//host/x``) or a closing tag (``</label>`` in text), unless ``key``'s first segment is
    one the build has (``manifest``'s first segments, read once)."""
    if public_path != "/":
        return lambda key: False
    heads = {k.split("/", 1)[0] for k in manifest}

    def names_a_route(key: str) -> bool:
        head = key.split("/", 1)[0]
        return not head or head not in heads

    return names_a_route


def _path_ref(value: str, start: int, kind: str) -> Ref | None:
    """The reference whose key is the path from ``start`` to a query, fragment or the end."""
    path_end = len(value.rstrip())
    for sep in ("?", "#"):
        k = value.find(sep, start)
        if 0 <= k < path_end:
            path_end = k
    key = value[start:path_end]
    if not key:
        return None
    plain = unquote(key)
    return Ref(kind, plain, start, path_end, encoded=plain != key)


def _only_expr(value: str, m: re.Match[str]) -> bool:
    """The call sits inside a ``{{ }}`` of the value, and no other Jinja construct is there."""
    exprs = list(_JINJA_EXPR.finditer(value))
    if "{%" in value or len(exprs) != 1:
        return False
    e = exprs[0]
    return e.start() < m.start() and m.end() < e.end()


JINJA_ANY = lazy(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
#: Django's ``{% static EXPR %}`` with EXPR no string literal (a literal one is ``static_tag``)
_STATIC_TAG_EXPR = lazy(r"\{%\s*static\s")
#: a file name after a slash, ending the path (``/img/hero.png``, ``/app.css?v=2``)
_FILE_TAIL = lazy(r"/[^/\s?#]+\.[A-Za-z0-9]{1,5}(?:[?#]|$)")


def names_static(value: str, public_path: str, routes: tuple[str, ...] = STATIC_ROUTES) -> bool:
    """Whether a ``dynamic`` value plausibly builds a URL into the static folder, so that it
    requests an unhashed source path: a ``url_for('static', ...)`` with a computed filename,
    or literal text around the expressions that is a static path (``/static/img/{{ n }}.png``,
    ``{{ config.ASSETS_ROOT }}/css/app.css``), or Django's ``{% static EXPR %}`` (healthchecks'
    ``{% static ch.icon_path %}``: nothing names its hashed file at run time). An expression
    alone (``{{ user.avatar_url }}``, ``{{ user.gravatar(size=40) }}``) may be any URL, and a
    literal URL to another host or prefix is one: ``False``."""
    if _url_for_any(routes).search(value) or _STATIC_TAG_EXPR.search(value):
        return True
    literal = JINJA_ANY.sub("\0", value).strip()
    if not literal.replace("\0", ""):
        return False
    if literal.startswith(public_path):
        return True
    if re.match(r"(?:[a-zA-Z][\w+.-]*:)?//", literal) or literal.startswith("/"):
        return False  # another host, or another prefix of this one
    return bool(_FILE_TAIL.search(literal.replace("\0", "")))


def replacement(ref: Ref, file: str) -> str | None:
    """The text that replaces ``ref``'s K span (``None``: a ``prefixed`` reference to a file
    outside the expression's folder, which that span cannot name)."""
    if ref.kind == "versioned":
        return ref.lead + file
    if ref.folder:
        if not file.startswith(ref.folder + "/"):
            return None
        file = file[len(ref.folder) + 1 :]
    return quote(file, safe="/@:+,;=&$!*'()~") if ref.encoded else file

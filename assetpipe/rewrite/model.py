"""The rewrite's inputs and outputs: the effective ``Options`` of one template's rewrite and the
``Result`` (new text plus what report.json says), the MIME tables the rules share, and which
fonts a stylesheet's preloads name."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import field
from functools import cached_property
from typing import Any

from ..records import dataclass
from .edits import Edit
from .hints import Hint, ImageHint
from .refs import Ref, classify
from .syntax import Syntax

FONT_TYPES = {".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf", ".otf": "font/otf"}


def font_preloads(assets: Iterable[str]) -> list[str]:
    """The fonts of a stylesheet's ``assets`` worth a preload: its WOFF2 files when it has any
    (every browser that preloads reads WOFF2, so a ``woff``/``ttf`` beside it in a ``src`` list
    is a fallback no such browser fetches, and a preload of it is bytes for nothing), else its
    other font files."""
    fonts = [str(f) for f in assets if font_ext(str(f)) in FONT_TYPES]
    woff2 = [f for f in fonts if font_ext(f) == ".woff2"]
    return woff2 or fonts


def font_ext(name: str) -> str:
    """A font file name's extension, lower-cased with its dot (``.woff2``)."""
    return "." + name.rsplit(".", 1)[-1].lower()


IMAGE_MIME = {
    "avif": "image/avif",
    "webp": "image/webp",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
}


@dataclass(frozen=True)
class Options:
    """The effective options of one template's rewrite (they key its cache entry)."""

    public_path: str = "/static/"
    is_page: bool = False
    lazy_images: bool = True
    lazy_iframes: bool = True
    eager: tuple[str, ...] = ()
    #: ``sizes`` for an image no rule, hint or width attribute sizes (``None``: no srcset then)
    sizes: str | None = None
    #: ``(selector, sizes)`` rules, first match wins (``templates.sizes`` as a list)
    sizes_rules: tuple[tuple[str, str], ...] = ()
    #: ``always`` | ``auto`` (only where they cannot distort) | ``never``
    dimensions: str = "auto"
    #: ``auto`` (only where the displayed width is known) | ``never``
    srcset: str = "auto"
    picture: bool = False
    srcset_format: str = "webp"
    image_formats: tuple[str, ...] = ("webp", "original")
    integrity: bool = False
    preload_fonts: bool = False
    #: ``templates.prefixes``: (Jinja expression, the static folder it stands for)
    prefixes: tuple[tuple[str, str], ...] = ()
    #: ``templates.static_routes``: route names whose ``url_for`` names a static file
    static_routes: tuple[str, ...] = ("static",)
    #: ``templates.static_functions``: functions whose one string argument names a static file
    static_functions: tuple[str, ...] = ()
    #: the static folder's Pyramid asset specification (``pkg:static/``), ``None`` outside a
    #: Python package: ``request.static_url('pkg:static/K')`` names K
    static_spec: str | None = None
    #: the templates are a Django project's (``templates.first_wins``): one without markup only
    #: Jinja2 has is read as Django's language (``dialect.is_django``)
    django: bool = False
    #: the templates' Jinja delimiters (``templates.syntax``: Trac's ``${x}``); ``None``: standard
    syntax: Syntax | None = None
    #: this partial holds a page's LCP candidate (``leads.roles``): ``once`` (included before
    #: the page's own), ``loop`` (included in a loop there), ``both``; ``""``: none
    lead_partial: str = ""
    #: its macros that draw a page's LCP candidate
    lead_macros: tuple[str, ...] = ()
    #: the starts of its includes in a loop that hold a page's candidate (``leads.FIRST_VAR``)
    lead_sites: tuple[int, ...] = ()
    #: a Django tag renders this partial in a loop (``leads.Role.tag_loop``): where its
    #: template does not see ``forloop``, every pass stays eager
    lead_tag_loop: bool = False
    #: the keys some template links as the pages' icon (``<link rel="icon">``): an ``<img>``
    #: of one keeps its format and gets no srcset, the one file both fetch (Evennia's logo is
    #: its favicon too: a WebP for the ``<img>`` was a second download of the same picture)
    icon_keys: tuple[str, ...] = ()
    #: the font keys a stylesheet of the build names (by their hashed names): a preload of any
    #: other beside a stylesheet the app serves itself keeps its name (``foreign.app_font``)
    css_fonts: tuple[str, ...] = ()

    @cached_property
    def prefix_map(self) -> dict[str, str]:
        """``prefixes`` as ``refs.classify`` takes them (whitespace in expressions collapsed)."""
        return prefix_map(self.prefixes)

    def classify(self, value: str) -> Ref | None:
        """``refs.classify`` of a URL-valued attribute value under these options."""
        return classify(
            value,
            self.public_path,
            self.prefix_map,
            self.static_routes,
            self.static_functions,
            self.static_spec,
        )


def prefix_map(prefixes: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """(expression, folder) pairs → expression with its whitespace collapsed → folder."""
    return {" ".join(e.split()): f.strip("/") for e, f in prefixes}


@dataclass
class Result:
    """A rewritten template and what report.json says about it."""

    text: str
    edits: list[dict[str, Any]] = field(default_factory=list)
    unresolved: list[dict[str, Any]] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    #: literal references to keys the manifest lacks: (line, col, key, attribute value)
    missing: list[tuple[int, int, str, str]] = field(default_factory=list)
    #: every manifest key looked up (found or not): the cache depends on these entries
    keys: set[str] = field(default_factory=set)
    hints_used: set[Hint] = field(default_factory=set)
    #: the hints file's image records that matched a tag (the others are stale)
    records_used: set[ImageHint] = field(default_factory=set)
    spans: list[tuple[int, int, Edit]] = field(default_factory=list)

    def report(self) -> dict[str, Any]:
        return {
            "edits": self.edits,
            "unresolved": self.unresolved,
            "images": self.images,
            "skipped": self.skipped,
        }

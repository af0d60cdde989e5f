"""What the scanner finds in a template: tags with exact offsets, their attributes, the Jinja
context they sit in, and the line lookup over the text (``scanner.scan`` builds these).

Offsets index the template text as given; nothing here is re-serialised. The meaning of the
flags (``conditional``, ``dynamic``, ``split``, ``opaque``) is in ``scanner``'s docstring.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import field
from typing import Any

from ..records import dataclass

#: Elements whose body is text up to their end tag.
RAWTEXT = frozenset({"script", "style", "textarea", "title", "xmp"})
#: Elements whose content the rewriter never touches.
OPAQUE = frozenset({"template", "noscript"})
#: Blocks whose body is a translation's message id: Jinja's ``{% trans %}`` and Django's
#: ``{% blocktrans %}`` / ``{% blocktranslate %}`` (Django's ``{% trans "x" %}`` is one tag)
TRANSLATED = frozenset({"trans", "blocktrans", "blocktranslate"})


class ScanError(ValueError):
    """The template's Jinja or HTML structure could not be followed (e.g. an unterminated
    ``{{``). ``offset`` is where the construct starts."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass
class Attr:
    """One attribute as written. Offsets index the template text; ``value_start``/``value_end``
    exclude the quotes. ``name`` is lower-cased (empty when the name holds Jinja)."""

    name: str
    start: int
    end: int
    value_start: int | None = None
    value_end: int | None = None
    quote: str = ""
    conditional: bool = False

    def __init__(  # written out: a scan makes one per attribute (``records``' closure is slower)
        self,
        name: str,
        start: int,
        end: int,
        value_start: int | None = None,
        value_end: int | None = None,
        quote: str = "",
        conditional: bool = False,
    ) -> None:
        self.name, self.start, self.end = name, start, end
        self.value_start, self.value_end = value_start, value_end
        self.quote, self.conditional = quote, conditional


@dataclass
class Tag:
    """An HTML start tag and its context."""

    name: str
    start: int
    end: int = -1
    #: where new attributes go: right after the last attribute (or Jinja chunk, or the name)
    insert_at: int = -1
    #: right after the tag name
    name_end: int = -1
    attrs: list[Attr] = field(default_factory=list)
    self_closing: bool = False
    #: a ``{{ … }}`` or a Jinja-built name in attribute position: unknown attributes may render
    dynamic: bool = False
    split: bool = False
    #: names of the Jinja blocks around the tag, outermost first
    jinja: tuple[str, ...] = ()
    #: the enclosing ``template``/``noscript`` element, if any
    opaque: str | None = None
    in_picture: bool = False
    #: for raw-text elements (``script``): the offset right after the end tag
    element_end: int | None = None

    def __init__(  # written out: a scan makes one per tag (``records``' closure is slower)
        self,
        name: str,
        start: int,
        end: int = -1,
        insert_at: int = -1,
        name_end: int = -1,
        attrs: list[Attr] | None = None,
        self_closing: bool = False,
        dynamic: bool = False,
        split: bool = False,
        jinja: tuple[str, ...] = (),
        opaque: str | None = None,
        in_picture: bool = False,
        element_end: int | None = None,
    ) -> None:
        self.name, self.start, self.end = name, start, end
        self.insert_at, self.name_end = insert_at, name_end
        self.attrs = [] if attrs is None else attrs
        self.self_closing, self.dynamic, self.split = self_closing, dynamic, split
        self.jinja, self.opaque = jinja, opaque
        self.in_picture, self.element_end = in_picture, element_end

    @property
    def in_loop(self) -> bool:
        """Inside ``{% for %}``, or inside a macro or call block (rendered any number of times)."""
        return any(j in ("for", "macro", "call") for j in self.jinja)

    @property
    def in_translation(self) -> bool:
        """Inside a block whose body is a message id (``TRANSLATED``): rewritten, the markup
        would no longer match its translations."""
        return any(j in TRANSLATED for j in self.jinja)

    def get(self, name: str) -> Attr | None:
        """The first attribute called ``name``."""
        for a in self.attrs:
            if a.name == name:
                return a
        return None

    def has(self, name: str) -> bool:
        return any(a.name == name for a in self.attrs)


@dataclass
class Scan:
    """The result of ``scan``: tags in document order, Jinja spans, and line lookup."""

    text: str
    tags: list[Tag]
    #: (start, end) of every Jinja construct and raw-block delimiter
    jinja_spans: list[tuple[int, int]]
    #: (start, end, blocks around it) of every ``{% include %}``, ``{% call %}``, call in a
    #: ``{{ }}`` (``{{ card(p) }}``) and statement no built-in library has (a Django project's
    #: ``{% render_product p %}``): where another template's or a macro's markup may render
    calls: list[tuple[int, int, tuple[str, ...]]] = field(default_factory=list)
    _lines: list[int] = field(default_factory=list)
    #: what readers work out once per scan and share (``select``'s parsed element tree): a
    #: function of ``text`` only, never compared
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        starts = [0]
        starts.extend(m.end() for m in re.finditer("\n", self.text))
        self._lines = starts

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of ``offset`` (lines end at ``\\n``, as html.parser counts)."""
        i = bisect.bisect_right(self._lines, offset) - 1
        return i + 1, offset - self._lines[i] + 1

    def line_start(self, offset: int) -> int:
        return self._lines[bisect.bisect_right(self._lines, offset) - 1]

    def masked(self) -> str:
        """The text with every Jinja construct blanked to spaces (newlines kept), so that an HTML
        parser sees the same tags at the same lines and columns, without Jinja noise."""
        if not self.jinja_spans:
            return self.text
        parts: list[str] = []
        pos = 0
        for a, b in self.jinja_spans:
            parts.append(self.text[pos:a])
            parts.append(re.sub(r"[^\n]", " ", self.text[a:b]))
            pos = b
        parts.append(self.text[pos:])
        return "".join(parts)

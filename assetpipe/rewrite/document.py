"""One template as the rules read it: its text, its name, its scan, and literal attribute values.

Nothing here changes the text; edits go through ``writer.Writer``.
"""

from __future__ import annotations

from typing import Any

from .scanner import scan
from .syntax import Standard, Syntax, standard
from .tags import Scan, Tag


class Document:
    """A scanned template (``name`` is relative to its template dir). A template of another
    Jinja ``syntax`` (Trac's ``${x}`` and ``# if`` lines) is read in standard delimiters:
    ``text`` is that translation, ``source`` the template as written, ``standard`` the way
    back (``syntax.Standard``)."""

    def __init__(self, text: str, name: str, syntax: Syntax | None = None) -> None:
        self.source = text
        self.standard: Standard | None = standard(text, syntax)
        if self.standard is not None:
            text = self.standard.text
        self.text = text
        self.name = name
        self.scan: Scan = scan(text)
        #: the line ending inserted elements use: the file's own
        self.newline = "\r\n" if "\r\n" in text else "\n"
        #: what the rules work out once per document (``lcp.chrome_images``)
        self.memo: dict[str, Any] = {}

    def loc(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of ``offset``."""
        return self.scan.line_col(offset)

    def lines(self, tag: Tag) -> tuple[int, int]:
        """The first and last line ``tag`` spans."""
        return self.loc(tag.start)[0], self.loc(max(tag.end - 1, tag.start))[0]

    def value(self, tag: Tag, name: str) -> str | None:
        """A literal, unconditional attribute value (``None`` if absent, conditional or Jinja)."""
        a = tag.get(name)
        if a is None or a.conditional:
            return None
        if a.value_start is None or a.value_end is None:
            return ""
        v = self.text[a.value_start : a.value_end]
        return None if "{{" in v or "{%" in v else v

    def enum(self, tag: Tag, name: str) -> str:
        """A literal keyword value, lower-cased and stripped (HTML compares these
        ASCII-case-insensitively: ``loading="LAZY"``); ``""`` if absent or not literal."""
        return (self.value(tag, name) or "").strip().lower()

    def tokens(self, tag: Tag) -> set[str]:
        """The per-tag switches of ``data-assetpipe`` (space-separated, any case)."""
        return set(self.enum(tag, "data-assetpipe").split())

    def int_attr(self, tag: Tag, name: str) -> int | None:
        """A literal positive integer attribute (``width="120"``), else ``None``."""
        v = (self.value(tag, name) or "").strip()
        return int(v) if v.isdigit() and int(v) > 0 else None

    def raw(self, tag: Tag, name: str) -> str | None:
        """An attribute's value exactly as written, Jinja included (``None`` if absent or
        bare)."""
        a = tag.get(name)
        if a is None or a.value_start is None or a.value_end is None:
            return None
        return self.text[a.value_start : a.value_end]

    @staticmethod
    def quote(tag: Tag) -> str:
        """The quote the tag's author uses: ``'`` if every quoted attribute has it, else ``"``."""
        quotes = {a.quote for a in tag.attrs if a.quote}
        return "'" if quotes == {"'"} else '"'

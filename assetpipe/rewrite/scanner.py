"""A position-aware scanner for HTML + Jinja2 templates.

``scan(text)`` walks a template once and returns every HTML start tag with the exact offsets of
its name, attributes, values and end, plus the Jinja context it sits in. Nothing is parsed into a
tree and nothing is re-serialised: the rewriter splices edits into the original text at these
offsets, so every byte it does not mean to change stays as it was.

Jinja is the outer language (it runs first), so the scanner treats ``{{ … }}``, ``{% … %}`` and
``{# … #}`` as opaque wherever they appear: in text, inside a tag, inside a quoted attribute value
(``alt="{{ f("x") }}"``: the inner quotes do not end the value), inside HTML comments and script
bodies (whose Jinja blocks still count for loop/if structure). String literals inside Jinja
constructs are honoured (``{{ "}}" }}``), and so are brackets (``{{ {'a': {'b': 1}} }}``).
``{% raw %}…{% endraw %}`` is skipped whole.

What the rewriter must leave alone is marked, not dropped: tags inside ``<template>`` or
``<noscript>`` carry ``opaque``; HTML comments (IE conditional comments included) and the bodies
of ``<script>``, ``<style>``, ``<textarea>`` and ``<title>`` yield no tags at all.

Inside a tag, an attribute written between ``{% if %}`` and ``{% endif %}`` is ``conditional``;
a ``{{ … }}`` in attribute position makes the tag's attribute set ``dynamic``; a tag whose start
and end lie in different branches of an ``{% if %}`` opened *outside* it (``{% if a %}<img x
{% else %}<img y {% endif %}>``) is ``split``, and is never edited.
"""

from __future__ import annotations

import re

from ..lazyre import lazy
from .tags import OPAQUE, RAWTEXT, TRANSLATED, Attr, Scan, ScanError, Tag

__all__ = ["OPAQUE", "RAWTEXT", "Attr", "Scan", "ScanError", "Tag", "scan"]

#: Jinja block tags that open a body closed by ``end<name>`` (and django-compressor's
#: ``{% compress css %}``, whose tags ``rules`` leaves as written; Django's translation block)
_OPENERS = frozenset(
    {"for", "if", "block", "macro", "call", "filter", "with", "autoescape", "compress"} | TRANSLATED
)
_BRANCH = frozenset({"else", "elif", "pluralize"})
#: statements of Jinja and of Django's built-in libraries that render no other template: any
#: other ``{% name %}`` may be a project's tag that does (``Scan.calls``)
_BUILTIN = (
    _OPENERS
    | _BRANCH
    | frozenset(
        {
            "autoescape",
            "blocktrans",
            "blocktranslate",
            "break",
            "comment",
            "continue",
            "csrf_token",
            "cycle",
            "debug",
            "do",
            "empty",
            "extends",
            "firstof",
            "from",
            "get_available_languages",
            "get_current_language",
            "get_current_language_bidi",
            "get_language_info",
            "get_media_prefix",
            "get_static_prefix",
            "ifchanged",
            "import",
            "language",
            "load",
            "localize",
            "localtime",
            "lorem",
            "now",
            "plural",
            "print",
            "querystring",
            "raw",
            "regroup",
            "resetcycle",
            "set",
            "spaceless",
            "static",
            "templatetag",
            "timezone",
            "translate",
            "url",
            "verbatim",
            "widthratio",
        }
    )
)

_NEXT_DATA = lazy(r"<|\{[{%#]")
_NEXT_COMMENT = lazy(r"-->|\{[{%#]")
_TAG_NAME = lazy(r"[A-Za-z][A-Za-z0-9:_.-]*")
_BLOCK_NAME = lazy(r"\{%[-+]?\s*([A-Za-z_]\w*)")
#: a ``{{ }}`` that starts with a call (``{{ card(p) }}``, ``{{ m.card(p) }}``)
_CALLS = lazy(r"\{\{[-+]?\s*[A-Za-z_][\w.]*\s*\(")
_RAW_END = lazy(r"\{%[-+]?\s*endraw\s*[-+]?%\}")
#: Jinja's ``{% endtrans %}``: without one, ``{% trans "x" %}`` is Django's tag, not a block
_END_TRANS = lazy(r"\{%[-+]?\s*endtrans\b")
_WS = " \t\n\r\f"
_EXPR_STOP = {"}}": re.compile(r"""["'()\[\]{}]"""), "%}": re.compile(r"""["'()\[\]{}%]""")}
_STRING = {
    '"': re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL),
    "'": re.compile(r"'(?:[^'\\]|\\.)*'", re.DOTALL),
}
_ATTR_NAME = lazy(r"[^\s/>={]+")
_QUOTED_STOP = {'"': re.compile(r'"|\{[{%#]'), "'": re.compile(r"'|\{[{%#]")}
_UNQUOTED_STOP = lazy(r"[\s>]|\{[{%#]")
_JINJA_OPEN = ("{{", "{%", "{#")
_END_TAG_STOP = lazy(r">|\{[{%#]")


class _Scanner:
    def __init__(self, text: str) -> None:
        self.t = text
        self.n = len(text)
        self.stack: list[str] = []
        self.tags: list[Tag] = []
        self.spans: list[tuple[int, int]] = []
        self.calls: list[tuple[int, int, tuple[str, ...]]] = []
        self.opaque: list[str] = []
        self.picture = 0
        # Django's ``{% trans "Toggle navigation" %}`` is one tag (its block is ``blocktrans``):
        # read as Jinja's block, it hid every tag after it (Kiwi TCMS's navbar logo)
        self.trans_blocks = _END_TRANS.search(text) is not None

    # -- Jinja -----------------------------------------------------------------------------
    def skip_jinja(self, i: int) -> int:
        """``i`` is at ``{{``, ``{%`` or ``{#``; return the offset after the construct. Raw
        blocks are skipped whole. Updates the block stack for ``{% %}``."""
        t = self.t
        kind = t[i + 1]
        if kind == "#":
            j = t.find("#}", i + 2)
            if j < 0:
                raise ScanError("unterminated Jinja comment '{#'", i)
            self.spans.append((i, j + 2))
            return j + 2
        close = "}}" if kind == "{" else "%}"
        j = self._skip_expr(i + 2, close, i)
        if kind == "%":
            m = _BLOCK_NAME.match(t, i)
            name = m.group(1) if m else ""
            if name == "raw":
                e = _RAW_END.search(t, j)
                if e is None:
                    raise ScanError("'{% raw %}' without '{% endraw %}'", i)
                self.spans.append((i, j))
                self.spans.append((e.start(), e.end()))
                return e.end()
            if name in ("include", "call") or not (name in _BUILTIN or name.startswith("end")):
                self.calls.append((i, j, tuple(self.stack)))
            self.block(name, t[i:j])
        elif _CALLS.match(t, i):
            self.calls.append((i, j, tuple(self.stack)))
        self.spans.append((i, j))
        return j

    def _skip_expr(self, i: int, close: str, start: int) -> int:
        """Offset after ``close`` (``}}`` or ``%}``), honouring strings and brackets."""
        t = self.t
        stop = _EXPR_STOP[close]
        depth = 0
        while True:
            m = stop.search(t, i)
            if m is None:
                raise ScanError(f"unterminated Jinja construct (no '{close}')", start)
            j = m.start()
            c = t[j]
            if c == '"' or c == "'":
                sm = _STRING[c].match(t, j)
                if sm is None:
                    raise ScanError("unterminated string inside a Jinja construct", start)
                i = sm.end()
                continue
            if c in "([{":
                depth += 1
            elif depth and c in ")]}":
                depth -= 1
            elif depth == 0 and t.startswith(close, j):
                return j + 2
            i = j + 1

    def block(self, name: str, source: str) -> str:
        """Apply a ``{% name %}`` to the stack; returns 'open', 'branch', 'close' or ''."""
        if name == "trans" and not self.trans_blocks:
            return ""
        if name in _OPENERS or (name == "set" and "=" not in source):
            self.stack.append(name)
            return "open"
        if name in _BRANCH:
            return "branch"
        if name.startswith("end"):
            target = name[3:]
            for k in range(len(self.stack) - 1, -1, -1):
                if self.stack[k] == target:
                    del self.stack[k:]
                    break
            return "close"
        return ""

    # -- HTML ------------------------------------------------------------------------------
    def run(self) -> Scan:
        t, n = self.t, self.n
        i = 0
        while i < n:
            m = _NEXT_DATA.search(t, i)
            if m is None:
                break
            i = m.start()
            if t[i] == "{":
                i = self.skip_jinja(i)
                continue
            i = self.markup(i)
        return Scan(t, self.tags, self.spans, self.calls)

    def markup(self, i: int) -> int:
        """``i`` is at ``<``: a comment, a declaration, an end tag, a start tag, or text."""
        t = self.t
        if t.startswith("<!--", i):
            return self.comment(i + 4)
        nxt = t[i + 1 : i + 2]
        if nxt in ("!", "?"):
            j = t.find(">", i)
            return self.n if j < 0 else j + 1
        if nxt == "/":
            m = _TAG_NAME.match(t, i + 2)
            if not m:
                return i + 1
            name = m.group().lower()
            # The end tag ends at its '>', or where a Jinja construct starts: what the construct
            # renders may hold the '>' (``</form`` left open, then ``{% include %}``: the browser
            # ends it inside the include's markup, and the tags after it are real), and searching
            # across it would swallow the next tags and miss the construct's block on the stack.
            e = _END_TAG_STOP.search(t, m.end())
            if name in OPAQUE and name in self.opaque:
                while self.opaque and self.opaque.pop() != name:
                    pass
            elif name == "picture" and self.picture:
                self.picture -= 1
            if e is None:
                return self.n
            return e.start() if e.group() != ">" else e.end()
        m = _TAG_NAME.match(t, i + 1)
        if not m:
            return i + 1
        return self.start_tag(i, m.group().lower(), m.end())

    def comment(self, i: int) -> int:
        t = self.t
        if t.startswith(">", i) or t.startswith("->", i):  # "<!-->" and "<!--->" end at once
            return t.find(">", i) + 1
        while True:
            m = _NEXT_COMMENT.search(t, i)
            if m is None:
                return self.n
            if m.group() == "-->":
                return m.end()
            i = self.skip_jinja(m.start())

    def start_tag(self, start: int, name: str, i: int) -> int:
        t, n = self.t, self.n
        tag = Tag(
            name=name,
            start=start,
            insert_at=i,
            name_end=i,
            jinja=tuple(self.stack),
            opaque=self.opaque[-1] if self.opaque else None,
            in_picture=self.picture > 0,
        )
        base = len(self.stack)
        while True:
            while i < n and t[i] in _WS:
                i += 1
            if i >= n:
                return start + 1  # not a tag after all (unterminated): treat '<' as text
            c = t[i]
            if c == ">":
                tag.end = i + 1
                break
            if c == "/" and t.startswith("/>", i):
                tag.self_closing = True
                tag.end = i + 2
                break
            if c == "{" and t.startswith(_JINJA_OPEN, i):
                kind = t[i + 1]
                if kind == "%":
                    m = _BLOCK_NAME.match(t, i)
                    bname = m.group(1) if m else ""
                    before = len(self.stack)
                    j = self.skip_jinja(i)
                    if bname in _BRANCH and before == base:
                        # the other branch starts fresh markup: this tag never ends here
                        tag.split = True
                        self.tags.append(tag)
                        return j
                    if len(self.stack) < base:
                        tag.split = True
                        base = len(self.stack)
                else:
                    j = self.skip_jinja(i)
                    if kind == "{":
                        tag.dynamic = True
                i = j
                tag.insert_at = i
                continue
            i = self.attribute(tag, i, conditional=len(self.stack) > base)
            tag.insert_at = i
        self.tags.append(tag)
        end = tag.end
        if tag.opaque is None and name in RAWTEXT and not tag.self_closing:
            end = self.rawtext(name, end)
            tag.element_end = end
        elif name in OPAQUE and not tag.self_closing:
            self.opaque.append(name)
        elif name == "picture" and not tag.self_closing:
            self.picture += 1
        return end

    def attribute(self, tag: Tag, i: int, *, conditional: bool) -> int:
        t, n = self.t, self.n
        start = i
        dynamic = False
        while i < n:
            m = _ATTR_NAME.match(t, i)
            if m is not None:
                i = m.end()
                if i >= n:
                    break
            c = t[i]
            if c == "{":
                if t.startswith(_JINJA_OPEN, i):
                    i = self.skip_jinja(i)
                    dynamic = True
                else:
                    i += 1
                continue
            if c == "/" and not t.startswith("/>", i):
                i += 1
                continue
            break
        if i == start:  # a stray '=' or similar: consume it as a nameless attribute
            i += 1
        name = "" if dynamic else t[start:i].lower()
        if dynamic:
            tag.dynamic = True
        attr = Attr(name=name, start=start, end=i, conditional=conditional)
        j = i
        while j < n and t[j] in _WS:
            j += 1
        if j < n and t[j] == "=" and i > start and t[start] != "=":
            j += 1
            while j < n and t[j] in _WS:
                j += 1
            if j < n and t[j] in "\"'":
                q = t[j]
                k = self._value_end(_QUOTED_STOP[q], j + 1)
                attr.value_start, attr.value_end, attr.quote = j + 1, k, q
                i = min(k + 1, n)
            else:
                k = self._value_end(_UNQUOTED_STOP, j)
                attr.value_start, attr.value_end = j, k
                i = k
            attr.end = i
        tag.attrs.append(attr)
        return i

    def _value_end(self, stop: re.Pattern[str], k: int) -> int:
        """Where a value ends (at ``stop``), skipping the Jinja constructs inside it."""
        t = self.t
        while True:
            m = stop.search(t, k)
            if m is None:
                return self.n
            if m.group().startswith("{"):
                k = self.skip_jinja(m.start())
                continue
            return m.start()

    def rawtext(self, name: str, i: int) -> int:
        """Skip a raw-text body (following its Jinja blocks); return the offset after its end
        tag, or the end of the text."""
        t = self.t
        pat = re.compile(r"</" + name + r"(?=[\s/>])|\{[{%#]", re.IGNORECASE)
        while True:
            m = pat.search(t, i)
            if m is None:
                return self.n
            if m.group().startswith("{"):
                i = self.skip_jinja(m.start())
                continue
            j = t.find(">", m.end())
            return self.n if j < 0 else j + 1


#: the last scan made, given again for the same text
_last: list[Scan] = []


def scan(text: str) -> Scan:
    """Scan ``text`` (a template) and return its tags; raises ``ScanError`` on an unterminated
    Jinja construct. A scan is read-only and shared: the same text as the last call's gets the
    same ``Scan`` (an edit build's planner and templates stage both read the saved template)."""
    for last in _last:
        if last.text == text:
            return last
    found = _Scanner(text).run()
    _last[:] = [found]
    return found

"""Templates written with other Jinja2 delimiters, read as standard ones.

Jinja2 lets an app change its lexer: Trac's ``jinja2env`` renders ``${expr}`` for ``{{ expr }}``,
``# if x:`` lines for ``{% if x %}`` (``line_statement_prefix='#'``) and ``## text`` as a comment
(``line_comment_prefix='##'``), while ``{% %}`` and ``{# #}`` keep their meaning. The scanner
and the rules know the standard delimiters only, so a template of such an app is translated
into them first (``standard``): ``${expr}`` becomes ``{{expr}}``, a line statement
``{%`` + statement + `` %}``, a line comment ``{#`` + text + ``#}``, and a literal ``{{`` (text
there, not a delimiter) is hidden from the scanner. No line is added or removed, so lines stay
where they were. The rewrite runs on that text, and its edits are put back into the original
(``Standard.original`` maps offsets; ``Standard.restore`` writes an inserted ``{{ }}`` with the
app's delimiters): every byte the rewrite does not change stays as written.

``Syntax`` holds the settings (``templates.syntax`` in ``pipeline.yaml``, named as Jinja's
``Environment`` arguments). The block (``{% %}``) and comment (``{# #}``) delimiters must be
the standard ones.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from ..lazyre import lazy
from ..records import dataclass
from .edits import Edit

#: the ``templates.syntax`` keys, as Jinja's ``Environment`` names them
KEYS = (
    "variable_start_string",
    "variable_end_string",
    "line_statement_prefix",
    "line_comment_prefix",
)
_STRING = lazy(r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'""", re.DOTALL)


@dataclass(frozen=True)
class Syntax:
    """A Jinja2 lexer's delimiters (the standard ones by default)."""

    variable_start_string: str = "{{"
    variable_end_string: str = "}}"
    line_statement_prefix: str | None = None
    line_comment_prefix: str | None = None

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, str]]) -> Syntax | None:
        """The syntax of ``templates.syntax``'s ``(key, value)`` pairs (keys of ``KEYS``);
        ``None`` for none (the standard delimiters)."""
        given = dict(pairs)
        return cls(**given) if given else None

    @property
    def standard(self) -> bool:
        """Whether templates of this syntax are read as they are."""
        return self == Syntax()


@dataclass(frozen=True)
class Piece:
    """A run of the translated text: ``std`` in it stands for ``orig`` in the source;
    ``same``: the run is the source's text, character for character."""

    std: int
    orig: int
    length: int
    orig_length: int
    same: bool


class Standard:
    """A template's text in standard delimiters (``text``), and the way back to ``source``."""

    def __init__(self, source: str, syntax: Syntax) -> None:
        self.source = source
        self.syntax = syntax
        self.pieces: list[Piece] = []
        self._parts: list[str] = []
        self._std = 0
        _Translator(self).run()
        self.text = "".join(self._parts)
        self._starts = [p.std for p in self.pieces]

    def emit(self, std_text: str, orig: int, orig_length: int) -> None:
        """Append ``std_text``, standing for ``source[orig:orig + orig_length]``."""
        if not std_text and not orig_length:
            return
        same = std_text == self.source[orig : orig + orig_length]
        self.pieces.append(Piece(self._std, orig, len(std_text), orig_length, same))
        self._parts.append(std_text)
        self._std += len(std_text)

    def original(self, offset: int) -> int:
        """The source offset of translated offset ``offset``: the same character in a run of
        the source's text; the start of a translated delimiter at its start, its end inside."""
        if not self.pieces:
            return offset
        k = bisect.bisect_right(self._starts, offset) - 1
        if k < 0:
            return 0
        p = self.pieces[k]
        inside = offset - p.std
        if p.same:
            return p.orig + min(inside, p.orig_length)
        return p.orig if inside == 0 else p.orig + p.orig_length

    def back(
        self, edits: Iterable[Edit], unresolved: list[dict[str, Any]], images: list[dict[str, Any]]
    ) -> list[Edit]:
        """``edits`` of the translation as edits of ``source``; the ``value`` of each
        ``unresolved`` item and the ``src`` of each ``images`` one (what report.json and the
        build's warnings quote) written in the source's syntax, in place."""
        for items, key in ((unresolved, "value"), (images, "src")):
            for item in items:
                if item.get(key):
                    item[key] = self.restore(item[key])
        return self.edits(edits)

    def edits(self, edits: Iterable[Edit]) -> list[Edit]:
        """``edits`` of the translation, as edits of ``source``."""
        return [
            replace(
                e, start=self.original(e.start), end=self.original(e.end), new=self.restore(e.new)
            )
            for e in edits
        ]

    def restore(self, new: str) -> str:
        """``new`` (text an edit inserts, in standard delimiters) in the source's syntax."""
        s = self.syntax
        if s.variable_start_string == "{{" and s.variable_end_string == "}}":
            return new
        return re.sub(
            r"\{\{(.*?)\}\}",
            lambda m: s.variable_start_string + m.group(1) + s.variable_end_string,
            new,
            flags=re.DOTALL,
        )


class _Translator:
    """One pass over the source in Jinja's data state, as Jinja's lexer reads it."""

    def __init__(self, out: Standard) -> None:
        self.out = out
        self.t = out.source
        s = out.syntax
        self.vs, self.ve = s.variable_start_string, s.variable_end_string
        self.lsp, self.lcp = s.line_statement_prefix, s.line_comment_prefix
        # Jinja's rules (``lexer.compile_rules``): where two start at one place, the longer
        # delimiter first (``##`` before ``#``), then by token name (the rank); a line comment
        # takes the blanks before it
        rules = [("v", re.escape(self.vs), len(self.vs), 5), ("c", r"\{#", 2, 2)]
        rules.append(("b", r"\{%", 2, 1))
        if self.lcp:
            lcp = r"(?:^|(?<=\S))[^\S\r\n]*" + re.escape(self.lcp)
            rules.append(("lc", lcp, len(self.lcp), 3))
        if self.lsp:
            rules.append(("ls", r"^[ \t\v]*" + re.escape(self.lsp), len(self.lsp), 4))
        if self.vs != "{{":
            rules.append(("lit", r"\{\{", 2, 0))  # text for this syntax, not for the scanner
        rules.sort(key=lambda r: (-r[2], -r[3]))
        self.next = re.compile("|".join(f"(?P<{n}>{rx})" for n, rx, _, _ in rules), re.M)
        self.after_variable = False

    def run(self) -> None:
        t, i = self.t, 0
        while True:
            m = self.next.search(t, i)
            if m is None:
                self.text(i, len(t), False)
                return
            self.text(i, m.start(), True)
            i = self.construct(m)

    def text(self, i: int, j: int, before: bool) -> None:
        """Emit the source's text ``[i:j]``. A ``{`` right before a construct (``before``) and
        a ``}`` right after a variable would make ``{{{`` and ``}}}`` of the translation (Trac's
        ``<em>{${id}}</em>``): each is emitted as a blank."""
        out, t = self.out, self.t
        lead = int(i < j and t[i] == "}" and self.after_variable)
        tail = int(before and j - i > lead and t[j - 1] == "{")
        out.emit(" " * lead, i, lead)
        out.emit(t[i + lead : j - tail], i + lead, j - tail - i - lead)
        out.emit(" " * tail, j - tail, tail)
        self.after_variable = False

    def construct(self, m: re.Match[str]) -> int:
        """Translate the construct ``m`` starts; return the source offset after it."""
        t, out, at, kind = self.t, self.out, m.start(), m.lastgroup
        if kind in ("ls", "lc"):  # blanks (kept as text), then the prefix
            pre = self.lsp if kind == "ls" else self.lcp
            at = m.end() - len(pre or "")
            out.emit(t[m.start() : at], m.start(), at - m.start())
            start = m.end()
            if kind == "ls":
                body = t[start : self.expr_end(start, "\n")].rstrip(" \t\r")
                out.emit("{%", at, start - at)
                out.emit(body, start, len(body))
                out.emit(" %}", start + len(body), 0)
                return start + len(body)
            end = t.find("\n", start)
            end = len(t) if end < 0 else end - (t[end - 1 : end] == "\r")
            out.emit("{#", at, start - at)
            out.emit(t[start:end].replace("#}", "# "), start, end - start)
            out.emit("#}", end, 0)
            return end
        if kind == "c":
            end = t.find("#}", at + 2)
            end = len(t) if end < 0 else end + 2
            out.emit(t[at:end], at, end - at)
            return end
        if kind == "b":
            end = min(self.expr_end(at + 2, "%}") + 2, len(t))
            out.emit(t[at:end], at, end - at)
            return end
        if kind == "lit":
            out.emit("{ ", at, 2)
            return at + 2
        start = m.end()  # a variable
        end = self.expr_end(start, self.ve)
        out.emit("{{", at, start - at)
        out.emit(t[start:end], start, end - start)
        close = min(len(self.ve), len(t) - end)
        out.emit("}}", end, close)
        self.after_variable = True
        return end + close

    def expr_end(self, i: int, close: str) -> int:
        """Where ``close`` ends the expression from ``i`` (strings skipped, brackets balanced,
        as Jinja's lexer does), or the text's end."""
        t, depth = self.t, 0
        while i < len(t):
            c = t[i]
            if c in "\"'":
                sm = _STRING.match(t, i)
                i = sm.end() if sm else len(t)
                continue
            if depth == 0 and t.startswith(close, i):
                return i
            if c in "([{":
                depth += 1
            elif c in ")]}" and depth:
                depth -= 1
            i += 1
        return len(t)


def standard(text: str, syntax: Syntax | None) -> Standard | None:
    """``text`` in standard delimiters, or ``None`` when ``syntax`` is the standard one."""
    if syntax is None or syntax.standard:
        return None
    return Standard(text, syntax)

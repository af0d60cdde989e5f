"""Splicing edits into a template's original text.

An ``Edit`` replaces ``text[start:end]`` with ``new`` (an insertion has ``start == end``). Edits
never overlap; insertions at the same offset keep the order they were added in. ``apply`` builds
the output from untouched slices of the input and the new texts, nothing else: the document is
never re-serialised.
"""

from __future__ import annotations

from typing import Any

from ..records import dataclass


@dataclass(frozen=True)
class Edit:
    """One change. ``kind`` says what it is (``attr``, ``url``, ``element``); ``tag`` and
    ``line`` say where, for report.json."""

    start: int
    end: int
    new: str
    kind: str
    tag: str = ""
    line: int = 0
    col: int = 0
    seq: int = 0

    def to_json(self, old: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "line": self.line,
            "col": self.col,
            "tag": self.tag,
            "kind": self.kind,
            "text": self.new,
        }
        if self.end > self.start:
            out["replaces"] = old
        return out


class EditConflict(ValueError):
    """Two edits touch the same text: a bug in a rule, never the user's fault."""


def apply(text: str, edits: list[Edit]) -> tuple[str, list[tuple[int, int, Edit]]]:
    """Splice ``edits`` into ``text``. Returns the output and, for each edit, the span its new
    text occupies in the output (tests use it to take the output apart again)."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end > e.start, e.seq))
    parts: list[str] = []
    spans: list[tuple[int, int, Edit]] = []
    pos = 0
    out_len = 0
    for e in ordered:
        if e.start < pos:
            raise EditConflict(f"overlapping edits at offset {e.start}: {e.new!r}")
        keep = text[pos : e.start]
        parts.append(keep)
        out_len += len(keep)
        parts.append(e.new)
        spans.append((out_len, out_len + len(e.new), e))
        out_len += len(e.new)
        pos = e.end
    parts.append(text[pos:])
    return "".join(parts), spans

"""A three-way merge of two edits of one text, for a template the app's own Jinja loader
changes as it reads it.

Indico's loader adds ``nonce="{{ get_csp_nonce() }}"`` to every ``<script>`` of a template as it
loads it (its Content-Security-Policy allows only inline scripts with the request's nonce); the
build's rewrite of that template (lazy images, sizes, hashed URLs) is made from the file as it is
on disk. ``merge3(base, ours, theirs)`` applies both edits of ``base``: the build's (``ours``)
and the loader's (``theirs``). Lines are compared first; where both changed the same lines,
their characters are, and where both changed the same characters there is no merge (``None``).
"""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import TypeVar

__all__ = ["merge3"]

T = TypeVar("T")

#: (start, end, replacement) of ``base``: ``base[start:end]`` becomes ``replacement``
Edit = tuple[int, int, Sequence[T]]


def _edits(base: Sequence[T], other: Sequence[T]) -> list[Edit[T]]:
    matcher = SequenceMatcher(None, base, other, autojunk=False)
    return [(i1, i2, other[j1:j2]) for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"]


Group = tuple[int, int, list[Edit[T]], list[Edit[T]]]


def _groups(ours: list[Edit[T]], theirs: list[Edit[T]]) -> list[Group[T]]:
    """The edits clustered by position: (start, end, ours inside, theirs inside), in order. Two
    edits are in one cluster when their ranges overlap or meet (an insertion at the start or
    the end of the other's range counts: where it goes would be a guess)."""
    tagged = sorted([(e, 0) for e in ours] + [(e, 1) for e in theirs], key=lambda x: x[0][:2])
    groups: list[Group[T]] = []
    for edit, side in tagged:
        if groups and edit[0] <= groups[-1][1]:
            start, end, o, t = groups[-1]
            groups[-1] = (start, max(end, edit[1]), o, t)
        else:
            groups.append((edit[0], edit[1], [], []))
        (groups[-1][2] if side == 0 else groups[-1][3]).append(edit)
    return groups


def _apply(base: Sequence[T], start: int, end: int, edits: list[Edit[T]]) -> list[T]:
    out: list[T] = []
    at = start
    for s, e, rep in edits:
        out.extend(base[at:s])
        out.extend(rep)
        at = e
    out.extend(base[at:end])
    return out


def _merge_lines(base: list[str], ours: list[str], theirs: list[str]) -> list[str] | None:
    out: list[str] = []
    at = 0
    for start, end, o, t in _groups(_edits(base, ours), _edits(base, theirs)):
        out.extend(base[at:start])
        at = end
        if not t:
            out.extend(_apply(base, start, end, o))
        elif not o:
            out.extend(_apply(base, start, end, t))
        else:  # both changed these lines: merge their characters
            seg = "".join(base[start:end])
            mine, other = "".join(_apply(base, start, end, o)), "".join(_apply(base, start, end, t))
            chars = _merge_chars(seg, mine, other)
            if chars is None:
                return None
            out.append(chars)
    out.extend(base[at:])
    return out


def _merge_chars(base: str, ours: str, theirs: str) -> str | None:
    out: list[str] = []
    at = 0
    for start, end, o, t in _groups(_edits(base, ours), _edits(base, theirs)):
        if o and t:
            if _apply(base, start, end, o) != _apply(base, start, end, t):
                return None
            t = []  # the same change on both sides
        out.append(base[at:start])
        out.extend(_apply(base, start, end, o or t))
        at = end
    out.append(base[at:])
    return "".join(out)


def merge3(base: str, ours: str, theirs: str) -> str | None:
    """``base`` with both ``ours``' and ``theirs``' changes, or ``None`` where they change the
    same characters differently."""
    if theirs == base or ours == theirs:
        return ours
    if ours == base:
        return theirs
    lines = _merge_lines(
        base.splitlines(keepends=True),
        ours.splitlines(keepends=True),
        theirs.splitlines(keepends=True),
    )
    return None if lines is None else "".join(lines)

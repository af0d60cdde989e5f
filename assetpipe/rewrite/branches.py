"""Whether literal text in an attribute value built by ``{% if %}`` is joined to a reference.

A value whose references are all literal (``{% static 'K' %}``, ``url_for('static',
filename='K')``) may still hold literal text: text in the same branch as a reference, or
around the ``{% if %}`` that holds one, is part of the reference's URL (``https://cdn{% static
'K' %}``: the value is built here, and stays as written), but text in another branch of the
same ``{% if %}`` is a whole URL of its own (Weblate's e-mail layout: ``{% if request %}{%
static "email-logo.png" %}{% else %}cid:email-logo.png@cid.weblate.org{% endif %}``), and K can
be hashed. ``resolve.Resolver._literal_refs_only`` asks this module.
"""

from __future__ import annotations

import re
from dataclasses import field

from ..lazyre import lazy
from ..records import dataclass

#: the character standing for one literal reference in the value
REF = "\x01"
#: a Jinja/Django tag, an expression or a comment; the group ``word`` is a block tag's first word
_TOKEN = lazy(r"\{%-?\s*(?P<word>\w*).*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.DOTALL)


@dataclass
class _Seq:
    """One branch (or the whole value): whether it holds literal text, a reference, and the
    ``{% if %}`` blocks in it, each a list of branches."""

    text: bool = False
    ref: bool = False
    blocks: list[list[_Seq]] = field(default_factory=list)

    def refs(self) -> bool:
        """Whether a reference renders in this branch, directly or in a nested block."""
        return self.ref or any(b.refs() for block in self.blocks for b in block)


def _chunk(seq: _Seq, text: str) -> None:
    if REF in text:
        seq.ref = True
    if text.replace(REF, "").strip():
        seq.text = True


def _parse(value: str) -> _Seq | None:
    """The branch tree of ``value`` (references marked ``REF``); ``None`` when its
    ``{% if %}`` tags do not nest."""
    top = _Seq()
    stack: list[tuple[_Seq, list[_Seq]]] = []  # (the enclosing branch, the open block's branches)
    cur, pos = top, 0
    for m in _TOKEN.finditer(value):
        _chunk(cur, value[pos : m.start()])
        pos = m.end()
        word = m.group("word")
        if word == "if":
            block = [_Seq()]
            cur.blocks.append(block)
            stack.append((cur, block))
            cur = block[0]
        elif word in ("elif", "else"):
            if not stack:
                return None
            cur = _Seq()
            stack[-1][1].append(cur)
        elif word == "endif":
            if not stack:
                return None
            cur = stack.pop()[0]
        elif REF in m.group():  # an expression holding a reference (``{{ REF }}``)
            cur.ref = True
    _chunk(cur, value[pos:])
    return None if stack else top


def _apart(seq: _Seq, joined: bool) -> bool:
    """Whether no literal text of ``seq`` (``joined``: a reference renders beside it,
    outside it) renders in the same URL as a reference."""
    if seq.text and (joined or seq.refs()):
        return False
    for i, block in enumerate(seq.blocks):
        beside = (
            joined
            or seq.ref
            or any(b.refs() for o in seq.blocks[:i] + seq.blocks[i + 1 :] for b in o)
        )
        if not all(_apart(b, beside) for b in block):
            return False
    return True


def pieces(value: str) -> list[str]:
    """``value`` cut at its ``{% if %}``, ``{% elif %}``, ``{% else %}`` and ``{% endif %}``
    tags: the text each branch renders, outside the nested blocks."""
    out, pos = [], 0
    for m in _TOKEN.finditer(value):
        if m.group("word") in ("if", "elif", "else", "endif"):
            out.append(value[pos : m.start()])
            pos = m.end()
    return [*out, value[pos:]]


def text_apart(value: str) -> bool:
    """Whether every piece of literal text of ``value`` (each literal reference replaced by
    ``REF``) is in a branch of an ``{% if %}`` in which, and around which, no reference
    renders: a whole URL of its own. Unbalanced ``{% if %}`` tags: ``False``."""
    tree = _parse(value)
    return tree is not None and _apart(tree, False)

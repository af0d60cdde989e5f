"""A small CSS selector matcher for the selectors templates use (``templates.eager``,
``templates.sizes`` rules, the built-in above-the-fold ones), without BeautifulSoup or soupsieve.

Importing soupsieve and compiling a selector costs ~0.1 s of regular-expression compilation per
process, more than rewriting a whole template; this module answers the same question in a few
milliseconds for the common subset of CSS and declines (``parse`` returns ``None``) for anything
else, which ``select`` then hands to soupsieve. The subset: type selectors and ``*``, ``.class``,
``#id``, attribute selectors (``[a]``, ``[a=v]``, ``~=``, ``^=``, ``$=``, ``*=``, ``|=``, with an
``i``/``s`` flag), ``:is()``/``:where()``/``:matches()``/``:not()`` of selector lists, and the
descendant and child combinators; ASCII identifiers without escapes.

The tree is the one BeautifulSoup's ``html.parser`` builder makes from the same text (the same
standard-library tokenizer): a void element closes at once, ``<x/>`` closes ``x``, an end tag closes up to the most recent open element of its name and is
ignored when none is open; nothing is closed implicitly. Matching follows soupsieve for HTML:
names compare lowercased, ``class`` (and bs4's other whitespace-list attributes) are compared as
the words joined by one space, the attributes soupsieve lists as case-insensitive in HTML match
their value ignoring ASCII case unless a flag says otherwise, and navigation stops at a
``<template>`` element (its contents are not part of the document). ``tests/test_cssmatch.py``
checks both the constants and the results against bs4 + soupsieve on real template sets.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import field
from html.parser import HTMLParser

from ..lazyre import lazy
from ..records import dataclass

#: bs4's ``HTMLTreeBuilder.empty_element_tags`` (void elements: closed as soon as opened)
VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "keygen",
        "link",
        "menuitem",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
        "basefont",
        "bgsound",
        "command",
        "frame",
        "image",
        "isindex",
        "nextid",
        "spacer",
    ]
)
#: bs4's ``HTMLTreeBuilder.DEFAULT_CDATA_LIST_ATTRIBUTES``: values split into words
LIST_ATTRS: dict[str, frozenset[str]] = {
    "*": frozenset({"class", "accesskey", "dropzone"}),
    "a": frozenset({"rel", "rev"}),
    "link": frozenset({"rel", "rev"}),
    "td": frozenset({"headers"}),
    "th": frozenset({"headers"}),
    "form": frozenset({"accept-charset"}),
    "object": frozenset({"archive"}),
    "area": frozenset({"rel"}),
    "icon": frozenset({"sizes"}),
    "iframe": frozenset({"sandbox"}),
    "output": frozenset({"for"}),
}
#: soupsieve's ``HTML_CASE_INSENSITIVE_ATTRIBUTES``
CASE_INSENSITIVE = frozenset(
    [
        "accept",
        "accept-charset",
        "align",
        "alink",
        "axis",
        "bgcolor",
        "charset",
        "checked",
        "clear",
        "codetype",
        "color",
        "compact",
        "declare",
        "defer",
        "dir",
        "direction",
        "disabled",
        "enctype",
        "face",
        "frame",
        "hreflang",
        "http-equiv",
        "lang",
        "language",
        "link",
        "media",
        "method",
        "multiple",
        "nohref",
        "noresize",
        "noshade",
        "nowrap",
        "readonly",
        "rel",
        "rev",
        "rules",
        "scope",
        "scrolling",
        "selected",
        "shape",
        "target",
        "text",
        "type",
        "valign",
        "valuetype",
        "vlink",
    ]
)
_WORDS = lazy(r"\S+")


@dataclass(eq=False)
class Element:
    """An element of the parsed tree: its name, attributes (bs4's values), parent (``None`` at
    the top) and whether it is inside a ``<template>`` (then no selector matches it)."""

    name: str
    attrs: dict[str, str]
    parent: Element | None
    classes: tuple[str, ...] = ()
    in_template: bool = False

    def __init__(  # written out: a parse makes one per element (``records``' closure is slower)
        self,
        name: str,
        attrs: dict[str, str],
        parent: Element | None,
        classes: tuple[str, ...] = (),
        in_template: bool = False,
    ) -> None:
        self.name, self.attrs, self.parent = name, attrs, parent
        self.classes, self.in_template = classes, in_template


class _Tree(HTMLParser):
    """The element at each (line, 0-based column) of a start tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[Element] = []
        self.at: dict[tuple[int, int], Element] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open(tag, attrs)
        if tag in VOID:
            self._close(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open(tag, attrs)
        self._close(tag)

    def handle_endtag(self, tag: str) -> None:
        self._close(tag)  # a void element's end tag finds none open: ignored, as bs4 does

    def _open(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values: dict[str, str] = {}
        for k, v in attrs:
            values[k] = "" if v is None else v
        lists = LIST_ATTRS["*"] | LIST_ATTRS.get(tag, frozenset())
        for k in lists & values.keys():
            values[k] = " ".join(_WORDS.findall(values[k]))
        top = self.stack[-1] if self.stack else None
        el = Element(
            tag,
            values,
            top,
            tuple(_WORDS.findall(values.get("class", ""))),
            top is not None and (top.in_template or top.name == "template"),
        )
        self.at[self.getpos()] = el
        self.stack.append(el)

    def _close(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i].name == tag:
                del self.stack[i:]
                return


def elements(text: str) -> dict[tuple[int, int], Element]:
    """The element starting at each (line, 0-based column) of ``text``, as bs4's ``html.parser``
    tree has it."""
    tree = _Tree()
    tree.feed(text)
    tree.close()
    return tree.at


Matcher = Callable[[Element], bool]


@dataclass
class _Compound:
    """A compound selector: the simple selectors an element must all match."""

    tests: list[Matcher] = field(default_factory=list)

    def __call__(self, el: Element) -> bool:
        return all(t(el) for t in self.tests)


def _any(alts: list[Matcher]) -> Matcher:
    return lambda el: any(a(el) for a in alts)


def _complex(parts: list[tuple[str, Matcher]]) -> Matcher:
    """``parts``: (combinator before it, compound), left to right; matched right to left."""

    def match(el: Element, i: int) -> bool:
        comb, comp = parts[i]
        if not comp(el):
            return False
        if i == 0:
            return True
        p = el.parent
        if comb == ">":
            return p is not None and match(p, i - 1)
        while p is not None:
            if match(p, i - 1):
                return True
            p = p.parent
        return False

    last = len(parts) - 1
    return lambda el: match(el, last)


_IDENT = r"-?[_a-zA-Z][-_a-zA-Z0-9]*"
_TOKEN = lazy(
    rf"""(?P<ws>[ \t\n\r\f]+)
    |(?P<type>{_IDENT}|\*)
    |\.(?P<cls>{_IDENT})
    |\#(?P<id>{_IDENT})
    |(?P<attrsel>\[[ \t\n\r\f]*(?P<attr>{_IDENT})[ \t\n\r\f]*
        (?:(?P<op>[~^$*|]?=)[ \t\n\r\f]*
           (?:"(?P<dq>[^"\\\n]*)"|'(?P<sq>[^'\\\n]*)'|(?P<bare>{_IDENT}))
           (?:[ \t\n\r\f]+(?P<flag>[iIsS]))?[ \t\n\r\f]*)?\])
    |:(?P<pseudo>is|where|matches|not)\(
    |(?P<gt>>)|(?P<comma>,)|(?P<close>\))""",
    re.VERBOSE,
)


class _Unsupported(Exception):
    pass


def _attr_test(m: re.Match[str]) -> Matcher:
    name = m["attr"].lower()
    op = m["op"]
    if op is None:
        return lambda el: name in el.attrs
    value = next(v for v in (m["dq"], m["sq"], m["bare"]) if v is not None)
    flag = (m["flag"] or "").lower()
    fold = flag == "i" or (not flag and name in CASE_INSENSITIVE)
    if fold:
        value = _ascii_lower(value)
    if op == "=":
        ok: Callable[[str], bool] = lambda v: v == value  # noqa: E731
    elif op == "~=":
        if not value or re.search(r"[ \t\r\n\f]", value):
            ok = lambda v: False  # noqa: E731
        else:
            ok = lambda v: value in re.split(r"[ \t\r\n\f]", v)  # noqa: E731
    elif op == "^=":
        ok = lambda v: bool(value) and v.startswith(value)  # noqa: E731
    elif op == "$=":
        ok = lambda v: bool(value) and v.endswith(value)  # noqa: E731
    elif op == "*=":
        ok = lambda v: bool(value) and value in v  # noqa: E731
    else:  # |=
        ok = lambda v: v == value or v.startswith(value + "-")  # noqa: E731

    def test(el: Element) -> bool:
        v = el.attrs.get(name)
        if v is None:
            return False
        return ok(_ascii_lower(v) if fold else v)

    return test


def _name_test(name: str) -> Matcher:
    return lambda el: el.name == name


def _class_test(cls: str) -> Matcher:
    return lambda el: cls in el.classes


def _id_test(ident: str) -> Matcher:
    return lambda el: el.attrs.get("id", "") == ident


def _negated(inner: Matcher) -> Matcher:
    return lambda el: not inner(el)


def _ascii_lower(s: str) -> str:
    return s.lower() if s.isascii() else s.translate(_LOWER)


_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = [(m.lastgroup or "", m) for m in self._lex(text.strip(" \t\n\r\f"))]
        self.i = 0

    @staticmethod
    def _lex(text: str) -> list[re.Match[str]]:
        out, pos = [], 0
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None:
                raise _Unsupported(text[pos:])
            out.append(m)
            pos = m.end()
        return out

    def peek(self) -> str:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else ""

    def skip_ws(self) -> None:
        while self.peek() == "ws":
            self.i += 1

    def selector_list(self) -> Matcher:
        alts = [self.complex()]
        while self.peek() == "comma":
            self.i += 1
            alts.append(self.complex())
        return alts[0] if len(alts) == 1 else _any(alts)

    def complex(self) -> Matcher:
        self.skip_ws()
        parts = [("", self.compound())]
        while True:
            saw_ws = self.peek() == "ws"
            self.skip_ws()
            kind = self.peek()
            if kind == "gt":
                self.i += 1
                self.skip_ws()
                parts.append((">", self.compound()))
            elif saw_ws and kind not in ("", "comma", "close"):
                parts.append((" ", self.compound()))
            else:
                break
        return parts[0][1] if len(parts) == 1 else _complex(parts)

    def compound(self) -> Matcher:
        comp = _Compound()
        start = self.i
        if self.peek() == "type":
            name = self.tokens[self.i][1]["type"].lower()
            self.i += 1
            if name != "*":
                comp.tests.append(_name_test(name))
        while True:
            kind = self.peek()
            m = self.tokens[self.i][1] if kind else None
            if kind == "cls" and m is not None:
                comp.tests.append(_class_test(m["cls"]))
            elif kind == "id" and m is not None:
                comp.tests.append(_id_test(m["id"]))
            elif kind == "attrsel" and m is not None:
                comp.tests.append(_attr_test(m))
            elif kind == "pseudo" and m is not None:
                negate = m["pseudo"] == "not"
                self.i += 1
                inner = self.selector_list()
                self.skip_ws()
                if self.peek() != "close":
                    raise _Unsupported("unclosed pseudo-class")
                comp.tests.append(_negated(inner) if negate else inner)
            else:
                break
            self.i += 1
        if self.i == start:
            raise _Unsupported("empty compound selector")
        return comp


def parse(selector: str) -> Matcher | None:
    """A matcher for ``selector``, or ``None`` when it is outside the subset (or not valid CSS):
    the caller then asks soupsieve."""
    try:
        p = _Parser(selector)
        if not p.tokens:
            return None
        matcher = p.selector_list()
        if p.i != len(p.tokens):
            return None
        return matcher
    except (_Unsupported, IndexError):
        return None

"""Every change a rewrite makes, recorded as ``Edit``s against the original text, and every tag
it leaves alone on purpose (report.json's ``skipped``).

``add_attr`` never writes an attribute the tag already has (even only inside an ``{% if %}``
within the tag: that one is reported as skipped); ``after`` and ``before`` insert whole elements
after or before a tag, on their own lines with the tag's indentation.
"""

from __future__ import annotations

from .dialect import is_django, markup_dialect
from .document import Document
from .edits import Edit
from .model import Result
from .tags import Tag

#: Jinja whitespace control that would eat the space before an inserted attribute
_TRIM = ("-%}", "-}}", "-#}")
#: the attributes a lazy image gets, and an LCP image's
_LAZY = (("loading", "lazy"), ("decoding", "async"))
_HIGH = (("fetchpriority", "high"),)


class Writer:
    """The edits of one template's rewrite; ``skip`` notes go to ``result``."""

    def __init__(self, doc: Document, result: Result, *, django_project: bool = False) -> None:
        self.doc = doc
        self.result = result
        self.edits: list[Edit] = []
        #: the template is Django's language (``dialect.is_django``; ``django_project``:
        #: ``Options.django``): its loop is ``forloop``
        self.django = is_django(markup_dialect(doc.text), django_project)

    def edit(self, tag: Tag, start: int, end: int, new: str, kind: str) -> None:
        """Replace ``text[start:end]`` with ``new`` (an insertion when ``start == end``)."""
        line, col = self.doc.loc(tag.start)
        self.edits.append(Edit(start, end, new, kind, tag.name, line, col, len(self.edits)))

    def add_attr(self, tag: Tag, name: str, value: str | None) -> bool:
        """Insert ``name="value"`` (``value=None``: a bare attribute) unless the tag has it."""
        present = [a for a in tag.attrs if a.name == name]
        if present:
            if all(a.conditional for a in present):
                self.skip(tag, f"'{name}' is set inside {{% if %}} within the tag: not added")
            return False
        quote = self.doc.quote(tag)
        self._insert(tag, f" {name}" if value is None else f" {name}={quote}{value}{quote}")
        return True

    def replace_value(self, tag: Tag, name: str, value: str) -> bool:
        """Replace the value of the tag's ``name`` attribute, written as a literal, with
        ``value``; nothing when the tag lacks it, it has no value, its value holds template
        code or already reads ``value``."""
        edited = False
        for a in tag.attrs:
            if a.name != name or a.value_start is None or a.value_end is None:
                continue
            old = self.doc.text[a.value_start : a.value_end]
            if old != value and "{" not in old:
                self.edit(tag, a.value_start, a.value_end, value, "attr")
                edited = True
        return edited

    def add_after_first_pass(
        self, tag: Tag, var: str | None = None, high: bool = False, unseen: bool = False
    ) -> bool:
        """Insert ``loading="lazy" decoding="async"`` (those the tag lacks) so that they render
        on every pass of the ``{% for %}`` loop around ``tag`` but its first: ``{% if loop is not
        defined or not loop.first %}...{% endif %}`` (in the loop's ``{% else %}``, where Jinja
        has no ``loop``, they render); in a Django template ``{% if not forloop or not
        forloop.first %}`` (in ``{% empty %}`` there is no ``forloop``: they render). ``var``:
        in a Jinja partial included in a loop, the variable the includer sets to ``loop.first``
        is tested instead (undefined where it is included otherwise: they render). ``high``:
        ``fetchpriority="high"`` on the first pass alone, in the ``{% else %}`` (an LCP hint on
        the loop's tag). ``unseen``: a Django partial a tag renders in a loop, which sees no
        ``forloop`` when the tag gives it a context of its own (an ``inclusion_tag``): ``{% if
        forloop and not forloop.first %}``, every pass eager there, as before the build."""
        test = "loop is not defined or not loop.first"
        if self.django and unseen:
            test = "forloop and not forloop.first"
        elif self.django:
            # ``not forloop`` first: a Jinja template taken for Django's (a Django project on
            # Jinja2) renders it lazy where ``forloop.first`` alone raised UndefinedError
            test = "not forloop or not forloop.first"
        elif var is not None:
            test = f"{var} is not defined or not {var}"
        return self._add_if(tag, test, _LAZY, _HIGH if high else ())

    def add_lazy_if(self, tag: Tag, tests: list[str]) -> bool:
        """Insert ``loading="lazy" decoding="async"`` (those the tag lacks) inside ``{% if
        A or B %}``: ``tests`` joined with ``or`` (each in parentheses but in Django, whose
        ``{% if %}`` has none; ``or`` binds loosest in both)."""
        test = " or ".join(tests if self.django else (f"({t})" for t in tests))
        return self._add_if(tag, test, _LAZY)

    def _add_if(
        self,
        tag: Tag,
        test: str,
        then: tuple[tuple[str, str], ...],
        otherwise: tuple[tuple[str, str], ...] = (),
    ) -> bool:
        """Insert ``{% if test %}`` with the attributes of ``then`` the tag lacks, and an
        ``{% else %}`` with those of ``otherwise``; nothing when the tag has them all."""
        yes = [(n, v) for n, v in then if not tag.has(n)]
        no = [(n, v) for n, v in otherwise if not tag.has(n)]
        if not yes and not no:
            return False
        q = self.doc.quote(tag)
        body = " ".join(f"{n}={q}{v}{q}" for n, v in yes)
        if no:
            body += "{% else %}" + " ".join(f"{n}={q}{v}{q}" for n, v in no)
        self._insert(tag, f" {{% if {test} %}}{body}{{% endif %}}")
        return True

    def _insert(self, tag: Tag, text: str) -> None:
        """Insert ``text`` among the tag's attributes (after its name when Jinja's ``-%}`` ends
        the tag, which would eat the space)."""
        at = tag.insert_at
        if self.doc.text.endswith(_TRIM, 0, at):
            at = tag.name_end
        self.edit(tag, at, at, text, "attr")

    def set_loop_first(self, offset: int, var: str) -> None:
        """Insert ``{% set VAR = loop.first %}`` at ``offset`` (an include's start, outside any
        tag), with the include's own whitespace control (``{%-``)."""
        trim = "-" if self.doc.text.startswith("{%-", offset) else ""
        text = f"{{%{trim} set {var} = loop.first %}}"
        line, col = self.doc.loc(offset)
        self.edits.append(Edit(offset, offset, text, "statement", "", line, col, len(self.edits)))

    def after(self, tag: Tag, offset: int, elements: list[str]) -> None:
        """Insert ``elements`` at ``offset`` (after ``tag``), each on a new line indented like
        the tag (not indented when text precedes the tag on its line)."""
        if not elements:
            return
        text = self.doc.text
        ls = self.doc.scan.line_start(tag.start)
        indent = text[ls : tag.start]
        if indent.strip():
            indent = ""
        nl = self.doc.newline
        self.edit(tag, offset, offset, "".join(nl + indent + el for el in elements), "element")

    def before(self, tag: Tag, elements: list[str]) -> None:
        """Insert ``elements`` right before ``tag``, each followed by a new line and the tag's
        indentation (on the tag's line, not broken, when text precedes the tag there)."""
        if not elements:
            return
        text = self.doc.text
        ls = self.doc.scan.line_start(tag.start)
        indent = text[ls : tag.start]
        sep = "" if indent.strip() else self.doc.newline + indent
        self.edit(tag, tag.start, tag.start, "".join(el + sep for el in elements), "element")

    def skip(self, tag: Tag, reason: str) -> None:
        """Report that ``tag`` was deliberately left (partly) unchanged, and why."""
        line, col = self.doc.loc(tag.start)
        self.result.skipped.append({"line": line, "col": col, "tag": tag.name, "reason": reason})

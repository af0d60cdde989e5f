"""A folder argument of ``Flask(...)`` named by a constant of the project rather than written
as a literal: privacyIDEA's ``Flask(__name__, static_folder=DefaultConfigValues.STATIC_FOLDER,
template_folder=DefaultConfigValues.TEMPLATE_FOLDER)``, whose class in ``config.py`` says
``TEMPLATE_FOLDER = "static/templates/"``. Read as Flask's default, ``init`` looked for a
``templates/`` folder that does not exist, listed no template and rewrote nothing.

Nothing is imported: the constant is found by reading the project's modules, as a class
attribute (``NAME.ATTR``) or a module-level name of the app's own module (``ATTR``), assigned
a string literal once. Anything else (a call, ``os.path.join(...)``, ``None``) is unknown."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from .files import KWARG

_REF = r"""\b{}\s*=\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?)\s*(?:,|$)"""
_ASSIGN = r"""^{indent}{name}\s*(?::[^=\n]+)?=\s*["']([^"'\n]*)["']\s*(?:#.*)?$"""


def _class_body(text: str, name: str) -> str | None:
    """The indented lines that follow ``class NAME...:`` (its body, nested blocks included)."""
    m = re.search(rf"^class\s+{re.escape(name)}\b[^\n]*:[ \t]*\n", text, re.M)
    if m is None:
        return None
    body = re.match(r"(?:(?:[ \t]+[^\n]*|[ \t]*)\n)*", text[m.end() :])
    return body.group(0) if body else ""


def _assigned(text: str, name: str, indent: str) -> list[str]:
    rx = re.compile(_ASSIGN.format(indent=indent, name=re.escape(name)), re.M)
    return rx.findall(text)


def resolve(ref: str, module_text: str, texts: Iterable[tuple[Path, str]]) -> str | None:
    """The string a constant ``ref`` (``NAME.ATTR`` or ``ATTR``) holds, or ``None`` when it is
    not assigned exactly one string literal (a class attribute in any module of ``texts``, a
    bare name at the top level of ``module_text``)."""
    if "." not in ref:
        found = _assigned(module_text, ref, "")
        return found[0] if len(found) == 1 else None
    cls, attr = ref.split(".", 1)
    values: list[str] = []
    for _, text in texts:
        body = _class_body(text, cls)
        indent = re.match(r"\s*?\n?([ \t]+)\S", body or "")
        if body is not None and indent is not None:  # the class's own level, not a nested one
            values += _assigned(body, attr, re.escape(indent.group(1)))
    return values[0] if len(set(values)) == 1 else None


def kwarg(args: str, name: str, module_text: str, texts: Iterable[tuple[Path, str]]) -> str | None:
    """The value of keyword argument ``name`` in a call's ``args``: a string literal as
    written, or the string a constant holds (``resolve``); ``None`` when it is absent or
    unknown."""
    literal = re.search(KWARG.format(name), args)
    if literal is not None:
        return literal.group(1)
    ref = re.search(_REF.format(name), args, re.M)
    if ref is None or ref.group(1) in ("None", "True", "False"):
        return None
    return resolve(ref.group(1), module_text, texts)


#: a run-time setting that names a folder: ``config.JOURNALIST_TEMPLATES_DIR``
_FOLDER_SETTING = re.compile(r"\b([A-Z][A-Z0-9_]*?)_(?:DIR|FOLDER|PATH)\b")


def setting_folder_name(args: str, name: str) -> str | None:
    """The folder name a keyword argument ``name`` of a call's ``args`` spells by a setting
    it reads at run time (SecureDrop's ``template_folder=str(config.JOURNALIST_TEMPLATES_DIR
    .absolute())``: ``journalist_templates``), or ``None``."""
    value = re.search(rf"\b{re.escape(name)}\s*=\s*([^\n,]+)", args)
    found = _FOLDER_SETTING.search(value.group(1)) if value is not None else None
    return found.group(1).lower() if found is not None else None

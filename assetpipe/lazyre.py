"""``lazy``: a regular expression compiled when it is first used, not when its module loads.

Compiling an expression costs 0.1-2 ms. A module that compiles its expressions at import makes
every process importing it pay for all of them: a one-template edit build imports the rewrite
modules' ~130 expressions and uses about half. ``lazy(pattern, flags)`` stands for
``re.compile(pattern, flags)``: its first method call or attribute read compiles the pattern
and stores the compiled pattern's bound methods and attributes on the object, so every later
call is the compiled pattern's own (no cost per call). It is not an ``re.Pattern`` object:
call its methods; do not hand it to an ``re.*`` function or test it with ``isinstance``.
"""

from __future__ import annotations

import re
from typing import Any, cast

#: what a compiled pattern offers, copied onto the lazy object when it compiles
_ATTRIBUTES = (
    "search",
    "match",
    "fullmatch",
    "finditer",
    "findall",
    "sub",
    "subn",
    "split",
    "pattern",
    "flags",
    "groups",
    "groupindex",
)


class _Lazy:
    def __init__(self, pattern: str, flags: int) -> None:
        self._args = (pattern, flags)

    def __getattr__(self, name: str) -> Any:  # only called for what is not stored yet
        compiled = re.compile(*self._args)
        for attribute in _ATTRIBUTES:
            setattr(self, attribute, getattr(compiled, attribute))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy({self._args[0]!r}, {self._args[1]!r})"


def lazy(pattern: str, flags: int | re.RegexFlag = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, compiled on first use (module docstring)."""
    return cast("re.Pattern[str]", _Lazy(pattern, int(flags)))

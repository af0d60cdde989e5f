"""``assetpipe.lazyre.lazy``: compiled on first use, then the compiled pattern's own methods;
and every lazy expression in the package compiles (an error would only show when used)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

import assetpipe
from assetpipe.lazyre import _Lazy, lazy


def test_compiled_on_first_use_then_the_patterns_own_methods() -> None:
    rx = lazy(r"(?P<word>b+)", re.IGNORECASE)
    assert "search" not in vars(rx)  # nothing compiled yet
    assert rx.search("aBBc").group("word") == "BB"  # type: ignore[union-attr]
    compiled = re.compile(r"(?P<word>b+)", re.IGNORECASE)
    assert vars(rx)["search"] == compiled.search  # the bound method, stored
    assert rx.sub("-", "abcb") == compiled.sub("-", "abcb") == "a-c-"
    assert [m.span() for m in rx.finditer("bab")] == [(0, 1), (2, 3)]
    assert (rx.pattern, rx.flags, rx.groups, rx.groupindex) == (
        compiled.pattern,
        compiled.flags,
        compiled.groups,
        compiled.groupindex,
    )


def test_a_bad_expression_fails_when_used() -> None:
    rx = lazy(r"(unclosed")
    with pytest.raises(re.error):
        rx.search("x")


def test_every_lazy_expression_of_the_package_compiles() -> None:
    root = Path(assetpipe.__file__).parent
    found = 0
    for path in sorted(root.rglob("*.py")):
        if "lazy(" not in path.read_text(encoding="utf-8") or path.name == "lazyre.py":
            continue
        name = ".".join(("assetpipe", *path.relative_to(root).with_suffix("").parts))
        for value in vars(importlib.import_module(name)).values():
            if isinstance(value, _Lazy):
                assert isinstance(value.pattern, str)  # compiles it
                found += 1
    assert found >= 70

"""``Outside``: the facts one config validation looked up outside the config file.

Validation asks through an ``Outside`` (is this path a folder, are these two folders the same,
is this environment variable set) and each answer is kept, so a recorded validation can be
reused only while ``still(facts)`` says every answer is unchanged.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


class Outside:
    """The facts one validation looked up outside the config file, each with its answer: ask
    through it, so ``memo`` can check the answers are still the same."""

    def __init__(self) -> None:
        self.facts: list[tuple[str, str, str, Any]] = []

    def kind(self, path: Path | str) -> str | None:
        """``"dir"``, ``"file"``, ``"other"`` for what ``path`` names (symlinks followed),
        ``None`` when nothing is there."""
        answer = _kind(str(path))
        self.facts.append(("kind", str(path), "", answer))
        return answer

    def is_dir(self, path: Path | str) -> bool:
        return self.kind(path) == "dir"

    def is_file(self, path: Path | str) -> bool:
        return self.kind(path) == "file"

    def same(self, a: Path | str, b: Path | str) -> bool:
        """Whether ``a`` and ``b`` are one file or folder (``False`` when either is missing)."""
        answer = _same(str(a), str(b))
        self.facts.append(("same", str(a), str(b), answer))
        return answer

    def stamp(self, path: str) -> list[int] | None:
        """The size and modification time of file ``path`` (``None``: missing)."""
        answer = _stamp(path)
        self.facts.append(("stamp", path, "", answer))
        return answer

    def env_set(self, name: str) -> bool:
        """Whether environment variable ``name`` is set."""
        answer = name in os.environ
        self.facts.append(("env", name, "", answer))
        return answer


def _kind(path: str) -> str | None:
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    return (
        "dir" if mode & 0o170000 == 0o040000 else "file" if mode & 0o170000 == 0o100000 else "other"
    )


def _stamp(path: str) -> list[int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return [st.st_size, st.st_mtime_ns]


def _same(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def still(facts: list[tuple[str, str, str, Any]]) -> bool:
    """Whether every recorded fact has its recorded answer now."""
    for what, a, b, answer in facts:
        if what == "kind":
            now: Any = _kind(a)
        elif what == "same":
            now = _same(a, b)
        elif what == "env":
            now = a in os.environ
        elif what == "stamp":
            now = _stamp(a)
        else:
            return False
        if now != answer:
            return False
    return True

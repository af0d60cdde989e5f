"""Lines on the terminal: the rich console where output is styled, plain writes elsewhere. The
CLI's modules and its log handler (``loglines``) share these."""

from __future__ import annotations

import os
import sys
from typing import Any


def make_console(stderr: bool = True) -> Any:
    from rich.console import Console

    no_color = bool(os.environ.get("NO_COLOR"))
    return Console(stderr=stderr, no_color=no_color, highlight=False, soft_wrap=True)


def styled(stream: Any) -> bool:
    """Whether rich would style output to ``stream``: a terminal, or ``FORCE_COLOR`` set. Else
    (a pipe, a file, CI logs) a line is written as is, without importing rich."""
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def say(text: str, *, lead: str = "", style: str = "") -> None:
    """One line on stderr: ``lead`` (in ``style`` where rich styles output) and ``text`` as
    is. On a pipe or a file it is written directly, without importing rich."""
    stream = sys.stderr  # looked up each time: a test runner may swap it
    line = f"{lead} {text}" if lead else text
    if not styled(stream):
        stream.write(line + "\n")
        stream.flush()
        return
    if lead:
        head = f"[{style}]{esc(lead)}[/] " if style else f"{esc(lead)} "
        make_console().print(head + esc(text))
    else:
        make_console().print(f"[{style}]{esc(text)}[/]" if style else esc(text))


def esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)

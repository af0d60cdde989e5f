"""What an esbuild build gives back, however it ran: ``Result`` (output bytes and the
metafile), ``Message`` (one error or warning), ``EsbuildError`` (exit 1, one located line per
esbuild error)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import field
from pathlib import Path
from typing import Any

from ..errors import Location, StageError
from ..records import dataclass

#: the characters of a source line ``Message.source_excerpt`` shows around the column
EXCERPT_WIDTH = 120


@dataclass(frozen=True)
class Message:
    """One esbuild error or warning. ``line`` is 1-based, ``col`` 1-based (esbuild's are
    0-based); ``file`` is relative to the build's working directory (the source root); ``id``
    is esbuild's message id (``impossible-typeof``: what ``logOverride`` names), when it has
    one."""

    text: str
    file: str | None = None
    line: int | None = None
    col: int | None = None
    line_text: str | None = None
    id: str | None = None

    @classmethod
    def from_json(cls, msg: dict[str, Any]) -> Message:
        """A message of the JS API (``{"text", "location": {...}, "pluginName"}``)."""
        text = str(msg.get("text", ""))
        if msg.get("pluginName") and msg["pluginName"] != "assetpipe-urls":
            text = f"[plugin {msg['pluginName']}] {text}"
        ident = str(msg.get("id") or "") or None
        loc = msg.get("location") or None
        if not loc:
            return cls(text, id=ident)
        return cls(
            text,
            str(loc.get("file")),
            int(loc.get("line", 0)) or None,
            int(loc.get("column", 0)) + 1,
            loc.get("lineText"),
            ident,
        )

    def source_excerpt(self, width: int = EXCERPT_WIDTH) -> str:
        """The source line with a caret under the column (empty when unknown). A line longer
        than ``width`` (a minified file's one line) is cut to ``width`` characters around the
        column, each cut end marked with ``...``, as esbuild's own terminal output does. A
        line esbuild's CLI log already cut (Baby Buddy's ``vendor.js``, an error at column
        187,888 shown as 70 characters) has no caret: under it the caret line was 187,888
        spaces."""
        if self.line_text is None or self.line is None:
            return ""
        text, at = self.line_text, max((self.col or 1) - 1, 0)
        if len(text) > width:
            start = max(0, min(at - width // 2, len(text) - width))
            head = "..." if start > 0 else ""
            tail = "..." if start + width < len(text) else ""
            text = head + text[start : start + width] + tail
            at = at - start + len(head)
        if at > len(text):  # esbuild's own cut of the line (its CLI log): the column is not in it
            return f"\n    {self.line} | {text}"
        caret = " " * (len(str(self.line)) + 3 + at) + "^"
        return f"\n    {self.line} | {text}\n    {caret}"


class EsbuildError(StageError):
    """esbuild reported errors (syntax, unresolved import, missing url() target). Exit 1.

    ``messages`` are esbuild's; ``lines()`` gives one ``FILE:LINE:COL: text`` line per error
    followed by the source line, with ``FILE`` shown through ``show`` (a stage maps esbuild's
    paths, relative to the source root, to paths as the user names them)."""

    def __init__(self, messages: list[Message], show: Callable[[str], str] = lambda f: f) -> None:
        self.messages = messages
        self.shown = [format_message(m, show(m.file) if m.file else None) for m in messages]
        first = messages[0] if messages else None
        location = (
            Location(show(first.file), first.line, first.col)
            if first is not None and first.file
            else None
        )
        super().__init__(
            first.text if first else "esbuild failed",
            location=location,
            hint="fix the source named above; the previous output is unchanged",
        )

    def relocated(self, show: Callable[[str], str]) -> EsbuildError:
        """The same errors, files shown through ``show``."""
        return EsbuildError(self.messages, show)

    def lines(self) -> list[tuple[str, str | None]]:
        shown = self.shown or [self.message]
        return [(s, self.hint if i == len(shown) - 1 else None) for i, s in enumerate(shown)]

    def __str__(self) -> str:
        return "\n".join(self.shown) if self.shown else self.message


def format_message(msg: Message, show_file: str | None) -> str:
    """``FILE:LINE:COL: text`` (+ the source line)."""
    if show_file is None:
        return msg.text
    where = show_file + (f":{msg.line}:{msg.col}" if msg.line else "")
    return f"{where}: {msg.text}{msg.source_excerpt()}"


@dataclass
class Result:
    """One build's outputs (bytes by POSIX path relative to ``outdir``), metafile (with output
    paths made relative to ``outdir`` and inputs relative to the working dir), warnings."""

    files: dict[str, bytes]
    metafile: dict[str, Any]
    warnings: list[Message] = field(default_factory=list)
    #: where a file's bytes are already stored, read-only (the build cache's blobs): written
    #: into ``public/`` as a hard link instead of a second copy
    stored: dict[str, Path] = field(default_factory=dict)
    #: the files esbuild left in its scratch folder holding exactly ``files[name]`` (native
    #: builds): whoever keeps the result may move them (the build cache renames them into its
    #: entry instead of writing the bytes again) and deletes the rest (``drop_scratch``)
    scratch: dict[str, Path] = field(default_factory=dict)

    def drop_scratch(self) -> None:
        """Delete the scratch files still there (one moved away is gone already)."""
        for path in self.scratch.values():
            path.unlink(missing_ok=True)
        self.scratch = {}


def normalise_outputs(meta: dict[str, Any], cwd: Path, outdir: Path) -> dict[str, Any]:
    """Rewrite the metafile's output paths (relative to the cwd) as paths relative to outdir.

    Both sides are resolved (``realpath``): the native binary names its outputs relative to the
    cwd the kernel gives it, with symlinks resolved, so a source folder that is a symlink to a
    folder at another depth (ArchiveBox's ``static -> templates/static``) put a textual
    ``normpath`` one ``..`` off, outside ``outdir``."""
    out_prefix = os.path.realpath(outdir)

    def rel(p: str) -> str:
        full = os.path.realpath(os.path.join(cwd, p))
        return Path(os.path.relpath(full, out_prefix)).as_posix()

    outputs: dict[str, Any] = {}
    for path, info in meta.get("outputs", {}).items():
        info = dict(info)
        info["imports"] = [
            dict(
                i,
                path=i["path"]
                if i.get("external")
                else rel(i["path"].split("?", 1)[0].split("#", 1)[0]),
            )
            for i in info.get("imports", ())
        ]
        if "cssBundle" in info:
            info["cssBundle"] = rel(info["cssBundle"])
        outputs[rel(path)] = info
    return {"inputs": meta.get("inputs", {}), "outputs": outputs}

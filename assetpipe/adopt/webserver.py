"""Web server configs in the project that answer the static URL themselves.

An app's own deployment files often serve ``/static/`` from the source folder without asking the
app: ihatemoney's ``conf-templates/nginx.conf.j2`` has ``location /static/ { alias {{ pkg_path
}}/static/; }`` and its Apache template ``Alias /static/ {{ pkg_path }}/static/``. Deployed that
way after adoption, every hashed URL the rewritten templates name 404s there (no stylesheet, no
script), though the app itself would answer it. ``init`` names each such rule it finds so the
user removes it (docs/adopting.md, "A web server that answers /static/ itself").

Looked at: files up to ``MAX_DEPTH`` folders below the project whose name says web server config
(``*.conf``, ``*.conf.j2``/``.tmpl``/``.template``, ``nginx*``, ``*vhost*``, ``httpd*``,
``apache*``), at most ``MAX_BYTES`` each; virtualenvs, ``node_modules``, VCS and build folders
are skipped. A line is a rule when it is nginx's ``location [= | ^~] <prefix>`` or Apache's
``Alias``/``AliasMatch`` of the static URL path, outside a ``#`` comment.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..serve.holder import url_prefix

MAX_DEPTH = 4
MAX_BYTES = 256 * 1024
_SKIP = {
    ".git", ".hg", ".svn", ".venv", "venv", "env", "node_modules", "__pycache__", "dist",
    ".assetpipe", ".tox", ".mypy_cache", ".pytest_cache", "site-packages", "build",
}  # fmt: skip
_NAME = re.compile(
    r"(?i)(\.conf(\.(j2|jinja2?|tmpl|template|in|example|sample))?$|^nginx|vhost|^httpd|^apache)"
)


@dataclass(frozen=True)
class StaticRule:
    """One line of a web server config that serves the static URL path itself."""

    path: Path
    line: int
    text: str


def _rule(prefix: str) -> re.Pattern[str]:
    bare = re.escape(prefix.rstrip("/"))
    return re.compile(
        rf"""^\s*(?:location\s+(?:=\s*|\^~\s*)?["']?{bare}/?["']?(?:\s|\{{|$)"""
        rf"""|(?:Alias|AliasMatch)\s+["']?\^?{bare}/?["']?\s)""",
        re.IGNORECASE,
    )


def static_rules(root: Path, public_path: str) -> list[StaticRule]:
    """The rules under ``root`` that serve ``public_path``'s URL path without the app (see the
    module doc), in path and line order."""
    prefix = url_prefix(public_path)
    if prefix == "/":
        return []
    pattern = _rule(prefix)
    found: list[StaticRule] = []
    base = len(root.parts)
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if d not in _SKIP and len(here.parts) - base < MAX_DEPTH)
        for name in sorted(files):
            if not _NAME.search(name):
                continue
            path = here / name
            try:
                if path.stat().st_size > MAX_BYTES:
                    continue
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            for n, line in enumerate(text.splitlines(), 1):
                code = line.split("#", 1)[0]
                if pattern.search(code):
                    found.append(StaticRule(path, n, line.strip()))
    return found

"""Which of Flask and Quart a module makes its app with: the name ``init``'s comments give it.

The same discovery finds both (Quart is Flask's API over ASGI, adopted with the same two
lines), and ``pipeline.yaml`` said "Flask app: chat/__init__.py (app = Flask(...))" for
Quart's chat example, whose line reads ``app = Quart(__name__)``.
"""

from __future__ import annotations

import re
from pathlib import Path

_QUART = re.compile(r"\b(?:quart\.)?Quart\s*\(|^class\s+\w+\s*\(\s*(?:quart\.)?Quart\s*[,)]", re.M)


def app_class(module_file: Path) -> str:
    """``"Quart"`` when the module creates a Quart app (``Quart(...)``, or a subclass of it
    defined there), else ``"Flask"``; ``"Flask"`` too when the module cannot be read."""
    try:
        text = module_file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "Flask"
    return "Quart" if _QUART.search(text) else "Flask"

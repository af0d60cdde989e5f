"""Where a Flask-Assets app's bundles land, for ``init``'s note on ``{% assets %}``.

Flask-Assets writes each bundle to its ``output`` under ``ASSETS_DIRECTORY``, the app's static
folder unless configured, and builds its URL with ``url_for('static', filename=output)``
(PowerDNS-Admin's ``Bundle(..., output='generated/main.js')``, linked as
``/static/generated/main.js?44ef10c2``). Such an output file is then one of the static folder's
files: ``init`` lists it, the build copies it under a hashed name, and ``AssetPipe(app)`` names
it while the page renders, as it does any computed ``url_for('static', ...)``. An app that
serves webassets' folder some other way (OctoPrint's Tornado handler) has outputs that are no
file of the static folder, and those bundles stay webassets'.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from .files import python_texts


@dataclass
class BundleOutputs:
    """The literal ``output=`` of the project's ``Bundle(...)`` calls, split by whether the
    static folder has the file: ``present`` (built; hashed by the build) and ``missing`` (not
    built yet, or written elsewhere)."""

    present: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def _outputs(text: str) -> list[str]:
    """The literal string ``output=`` of each ``Bundle(...)`` call in the module ``text``
    (one with a ``%(version)s`` placeholder names no file ahead of time: left out)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    out: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name != "Bundle":
            continue
        for kw in node.keywords:
            value = kw.value.value if isinstance(kw.value, ast.Constant) else None
            if kw.arg == "output" and isinstance(value, str) and "%(" not in value:
                out.append(value.lstrip("/"))
    return out


def bundle_outputs(root: Path, static_files: list[str]) -> BundleOutputs:
    """The ``Bundle(output=...)`` files of the Python modules under ``root`` (``init``'s walk),
    each in ``present`` when ``static_files`` (keys of the static folder) has it."""
    found: list[str] = []
    for _, text in python_texts(root):
        if "Bundle(" in text:
            found += [o for o in _outputs(text) if o not in found]
    have = set(static_files)
    return BundleOutputs(
        present=[o for o in found if o in have], missing=[o for o in found if o not in have]
    )

"""Where a Flask-Assets app's bundles land, for ``init``'s note on ``{% assets %}``.

Flask-Assets writes each bundle to its ``output`` under ``ASSETS_DIRECTORY``, the app's static
folder unless configured, and builds its URL with ``url_for('static', filename=output)``
(PowerDNS-Admin's ``Bundle(..., output='generated/main.js')``, linked as
``/static/generated/main.js?44ef10c2``). Such an output file is then one of the static folder's
files: ``init`` lists it, the build copies it under a hashed name, and ``AssetPipe(app)`` names
it while the page renders, as it does any computed ``url_for('static', ...)``. An app that
serves webassets' folder some other way (OctoPrint's Tornado handler) has outputs that are no
file of the static folder, and those bundles stay webassets'.

Outputs are build products: Nyaa's ``.gitignore`` leaves its ``js/main.min.js`` out of the
repository, so a fresh checkout (CI, an image build) lacks them and ``assetpipe build`` stops
on the missing entry until ``flask assets build`` has written them (``flask_assets_command``:
with ``--app``, which Nyaa's ``WSGI.py`` and ``create_app(config)`` need; ``git_ignored``).
"""

from __future__ import annotations

import ast
import shlex
import shutil
import subprocess
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
    #: of ``present``, those git ignores (``git_ignored``): a fresh checkout lacks them
    ignored: list[str] = field(default_factory=list)


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


def bundle_outputs(
    root: Path, static_files: list[str], static_dir: Path | None = None
) -> BundleOutputs:
    """The ``Bundle(output=...)`` files of the Python modules under ``root`` (``init``'s walk),
    each in ``present`` when ``static_files`` (keys of the static folder) has it, and in
    ``ignored`` too when git ignores it in ``static_dir``."""
    found: list[str] = []
    for _, text in python_texts(root):
        if "Bundle(" in text:
            found += [o for o in _outputs(text) if o not in found]
    have = set(static_files)
    present = [o for o in found if o in have]
    ignored = git_ignored(static_dir, present) if static_dir is not None and present else []
    return BundleOutputs(
        present=present, missing=[o for o in found if o not in have], ignored=ignored
    )


def git_ignored(folder: Path, keys: list[str]) -> list[str]:
    """Of ``keys`` (paths relative to ``folder``), those git ignores there and does not track
    (``git check-ignore``, which reads every ``.gitignore`` and ``info/exclude`` as git does):
    a fresh checkout lacks them. None when git is missing or ``folder`` is in no repository."""
    git = shutil.which("git")
    if git is None:
        return []
    try:
        done = subprocess.run(
            [git, "-C", str(folder), "check-ignore", "--", *keys],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    said = set(done.stdout.splitlines()) if done.returncode == 0 else set()
    return [k for k in keys if k in said]


def flask_assets_command(app_spec: str | None) -> str:
    """The command that builds the bundles: ``flask --app SPEC assets build`` with the app
    ``init`` found (``appspec.app_spec``); ``flask`` alone finds only an ``app.py`` or
    ``wsgi.py`` (Nyaa's ``flask assets build`` said "Could not locate a Flask application")."""
    if not app_spec:
        return "flask assets build"
    quoted = shlex.quote(app_spec)
    if quoted != app_spec and not set(app_spec) & set('"$`\\!'):
        quoted = f'"{app_spec}"'  # nyaa:create_app('config'), as a shell user writes it
    return f"flask --app {quoted} assets build"

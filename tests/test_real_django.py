"""A real Django project adopts assetpipe as a new user would: the project Wagtail's
``wagtail start`` writes (the ``wagtail`` package of the ``test`` extra, run in tmp_path;
nothing of it is in this repository): settings split into ``base``/``dev``/``production``, a
``home`` app with its own ``static/`` and templates, the project's ``static/`` and templates,
the welcome page, and Wagtail's admin served from the installed package.

``init``, its lines pasted where it says (the WSGI module, ``DIRS``, ``INSTALLED_APPS``),
``build --strict``, then ``manage.py runserver`` as the project's README says, against the
same project run plainly: per page no new response >= 400 or console error, no more bytes,
full-page screenshots alike, and the project's own files answered by their hashed names."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.real_apps import pixel_difference, run_cli, view
from tests.test_django import _answered, _free_port, _get, _started

pytestmark = [pytest.mark.chromium]

#: (path, JS globals the page defines)
PAGES = (("/", ()), ("/admin/login/", ()), ("/no-such-page/", ()))


def _paste(root: Path, out: str) -> None:
    """Paste the lines ``init`` printed where it says: ``Add these lines in FILE, after line
    N`` and ``and these imports in FILE, after line N``, ``first in the DIRS list at line N of TEMPLATES in FILE`` (with ``from pathlib
    import Path`` at its top), ``before "django.contrib.staticfiles" at line N of FILE`` (its
    indent), ``last in the STATICFILES_FINDERS list at line N of FILE``; a
    block of ``init``'s that none of these reads fails the test."""
    blocks = re.split(r"\n(?=  (?:Add these lines|and ))", out)
    for block in blocks:
        code = [line[6:] for line in block.splitlines() if line.startswith("      ")]
        if m := re.search(
            r"(?:Add these lines|and these imports) in (\S+), after line (\d+)", block
        ):
            _insert(root / m[1], int(m[2]), code)
        elif m := re.search(r"first in the DIRS list at line (\d+) of TEMPLATES in (\S+)", block):
            _insert(root / m[2], int(m[1]), ["            " + c for c in code])
            path = root / m[2]
            path.write_text("from pathlib import Path\n" + path.read_text())
        elif m := re.search(r'before "django.contrib.staticfiles" at line (\d+) of (\S+)', block):
            line = (root / m[2]).read_text().splitlines()[int(m[1]) - 1]
            indent = line[: len(line) - len(line.lstrip())]
            _insert(root / m[2], int(m[1]) - 1, [indent + c for c in code])
        elif m := re.search(r"last in the STATICFILES_FINDERS list at line (\d+) of (\S+)", block):
            lines = (root / m[2]).read_text().splitlines()
            close = next(i for i in range(int(m[1]), len(lines)) if lines[i].strip() == "]")
            _insert(root / m[2], close, ["    " + c for c in code])
        elif code:
            pytest.fail(f"init printed lines this test cannot place:\n{block}")


def _insert(path: Path, after: int, code: list[str]) -> None:
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines[:after], *code, *lines[after:]]) + "\n")


@contextmanager
def _runserver(project: Path, log: Path) -> Iterator[str]:
    port = _free_port()
    server = _started(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"], log
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _answered(base + "/", log, "runserver", tries=600)
        yield base
    finally:
        server.terminate()
        server.wait(10)


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The project ``wagtail start`` writes, migrated: a plain copy and an adopted one."""
    pytest.importorskip("wagtail")
    wagtail = Path(sys.executable).parent / "wagtail"
    root = tmp_path_factory.mktemp("wagtail")
    plain, adopted = root / "plain", root / "adopted"
    plain.mkdir()
    done = subprocess.run(
        [str(wagtail), "start", "mysite", str(plain)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=plain,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    shutil.copytree(plain, adopted)
    result = run_cli("init", cwd=adopted)
    assert result.returncode == 0, result.stdout + result.stderr
    _paste(adopted, result.stdout)
    built = run_cli("build", "--strict", cwd=adopted)
    assert built.returncode == 0, built.stdout + built.stderr
    return plain, adopted


def test_the_wagtail_starter_adopted_looks_and_loads_as_before(
    browser: Any, projects: tuple[Path, Path]
) -> None:
    plain, adopted = projects
    with _runserver(plain, plain / "server.log") as before_url:
        before = [view(browser, before_url, path, g) for path, g in PAGES]
    with _runserver(adopted, adopted / "server.log") as after_url:
        after = [view(browser, after_url, path, g) for path, g in PAGES]
        # runserver answers the build's files as deployed (``assetpipe.djangorunserver``)
        css = next(u for u in after[0].requested if re.search(r"/mysite-\w{8}\.css$", u))
        assert "immutable" in _get(css, "br, gzip")[1].get("cache-control", "")
    for (path, _), b, a in zip(PAGES, before, after, strict=True):
        new_bad = [r for r in a.bad_responses if r[0] != 404 or not r[1].endswith(path)]
        assert len(new_bad) <= len(b.bad_responses) - (path == "/no-such-page/"), (path, new_bad)
        assert set(a.console_errors) <= set(b.console_errors), (path, a.console_errors)
        assert a.body_bytes <= b.body_bytes, (path, a.body_bytes, b.body_bytes)
        assert pixel_difference(b.screenshot, a.screenshot) < 0.005, path
    # the project's own stylesheet and script, by their hashed names
    home = after[0].requested
    assert any(re.search(r"/static/css/mysite-[A-Z0-9]{8}\.css$", u) for u in home), home
    assert any(re.search(r"/static/js/mysite-[A-Z0-9]{8}\.js$", u) for u in home), home

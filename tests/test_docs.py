"""The docs: README.md is a short front page whose example and links hold, the mkdocs site under
docs/ builds with ``--strict`` (dead links and anchors fail), and nothing cites the old working
note that is not in the repository."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

import assetpipe
from assetpipe.config import load_config

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
DOCS = REPO / "docs"
#: the front page's budget: a newcomer reads it in five minutes
README_MAX_BYTES = 12 * 1024
QUICKSTART = ("./dev build", "./dev test")
#: the citation that must disappear (split so this file does not contain it)
CITATION = "DESIGN" + " §"
EXAMPLE_SECTION = "## A Flask app in 20 lines"

mkdocs_missing = importlib.util.find_spec("mkdocs") is None


def readme() -> str:
    return README.read_text(encoding="utf-8")


def section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start : end if end != -1 else None]


def fenced(text: str) -> list[tuple[str, str]]:
    """The (language, code) fenced blocks of ``text``, in order."""
    return [
        (m.group(1), m.group(2)) for m in re.finditer(r"^```(\w*)\n(.*?)^```", text, re.M | re.S)
    ]


def mkdocs_build(config: Path, site: Path) -> subprocess.CompletedProcess[str]:
    # no -q: mkdocs 1.6 counts strict-mode warnings only when they are logged, and -q drops them
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_readme_is_a_short_front_page_with_the_quickstart() -> None:
    text = readme()
    size = len(text.encode("utf-8"))
    assert size < README_MAX_BYTES, f"README.md is {size} bytes: move detail into docs/"
    blocks = [code for lang, code in fenced(section(text, "## Quickstart")) if lang == "sh"]
    commands = [line.split("#")[0].strip() for code in blocks for line in code.splitlines()]
    assert commands == list(QUICKSTART)


def slug(heading: str) -> str:
    """The anchor mkdocs gives a heading (Python-Markdown's toc slugify)."""
    from markdown.extensions.toc import slugify  # type: ignore[import-untyped]

    text = re.sub(r"`([^`]*)`", r"\1", heading)
    return str(slugify(text, "-"))


def anchors(page: Path) -> set[str]:
    text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.M | re.S)
    return {slug(m.group(1).strip()) for m in re.finditer(r"^#{1,6} (.+)$", text, re.M)}


def test_readme_links_into_docs_resolve() -> None:
    """README's relative links work on GitHub (a file of the checkout) and in the site (the
    anchor is a heading of that page)."""
    links = re.findall(r"\]\(([^)\s]+)\)", readme())
    local = [link for link in links if not re.match(r"[a-z]+:", link)]
    assert any(link.startswith("docs/") for link in local)
    for link in local:
        path, _, anchor = link.partition("#")
        target = REPO / path
        assert target.is_file(), f"README.md links to {link}: no such file"
        if anchor:
            assert anchor in anchors(target), f"README.md links to {link}: no such heading"


@pytest.mark.skipif(mkdocs_missing, reason="mkdocs is not installed (pip install -e '.[test]')")
def test_docs_site_builds_strict(tmp_path: Path) -> None:
    proc = mkdocs_build(REPO / "mkdocs.yml", tmp_path / "site")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "site/architecture/index.html").is_file()


@pytest.mark.skipif(mkdocs_missing, reason="mkdocs is not installed (pip install -e '.[test]')")
def test_docs_strict_build_fails_on_a_dead_anchor(tmp_path: Path) -> None:
    """The project's mkdocs.yml settings, on a two-page site with a link to a missing heading:
    the build fails, naming the link (what the strict build above relies on)."""
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    config = re.sub(r"^nav:\n(?:  .*\n)*", "", config, flags=re.M)
    (tmp_path / "mkdocs.yml").write_text(config.replace("docs_dir: docs", "docs_dir: d"))
    (tmp_path / "d").mkdir()
    (tmp_path / "d/index.md").write_text("# Home\n\n[a](b.md#nowhere)\n")
    (tmp_path / "d/b.md").write_text("# B\n\n## Somewhere\n")
    proc = mkdocs_build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert proc.returncode != 0
    assert "#nowhere" in proc.stderr


def doc_pages() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def resolve(dotted: str) -> object:
    """The object a dotted name such as ``assetpipe.serve.rcache.flask.cached`` names."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for name in parts[i:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(dotted)


def test_docs_name_only_modules_and_files_that_exist() -> None:
    """Every ``assetpipe.x.y`` the docs name imports (or is an attribute of what does), and every
    repository file they name in code spans exists: the pages follow the code when it moves."""
    missing = []
    for page in doc_pages():
        text = page.read_text(encoding="utf-8")
        for dotted in set(re.findall(r"`(assetpipe(?:\.[A-Za-z_]\w*)+)", text)):
            try:
                resolve(dotted)
            except (ImportError, AttributeError):
                missing.append(f"{page.name}: {dotted}")
        pattern = r"`((?:assetpipe|bench|tests|node|examples)/[\w./-]+\.(?:py|mjs|js|json|yaml))`"
        for rel in set(re.findall(pattern, text)):
            if not (REPO / rel).exists():
                missing.append(f"{page.name}: {rel}")
    assert missing == []


def citing_files() -> list[str]:
    skip_dirs = {".git", ".venv", "node_modules", "__pycache__", "site", "dist", ".assetpipe"}
    found = []
    for top in ("assetpipe", "tests", "bench", "docs", "node", "examples"):
        for dirpath, dirs, names in os.walk(REPO / top):
            dirs[:] = [d for d in dirs if d not in skip_dirs and not d.startswith(".")]
            for name in names:
                path = Path(dirpath, name)
                if path.suffix in {".png", ".jpg", ".webp", ".gif", ".avif", ".woff2", ".sqlite"}:
                    continue
                text = path.read_text(encoding="utf-8", errors="replace")
                if CITATION in text:
                    found.append(str(path.relative_to(REPO)))
    found += [p.name for p in REPO.glob("*") if p.is_file() and CITATION in p.read_text("utf-8")]
    return sorted(found)


def test_every_table_row_is_in_its_table() -> None:
    """A row appended after a table's closing paragraph renders as a paragraph of pipes (two
    rows of the "Adopted by hand" table were, at the end of docs/adopting.md): each line that
    opens with ``|`` follows another one, or is a header with its ``|---|`` line next."""
    stray = []
    for path in doc_pages():
        lines = path.read_text("utf-8").split("\n")
        fenced = False
        for i, line in enumerate(lines):
            if line.startswith("```"):
                fenced = not fenced
            if fenced or not line.startswith("|"):
                continue
            header = i + 1 < len(lines) and lines[i + 1].startswith("|---")
            if not header and not (i and lines[i - 1].startswith("|")):
                stray.append(f"{path.name}:{i + 1}: {line[:60]}")
    assert not stray, stray


def test_nothing_cites_the_old_design_note() -> None:
    """Contracts are stated in docstrings and docs/ (architecture.md), not by a section number
    of a note outside the repository."""
    assert citing_files() == []


def line_pattern(line: str) -> str:
    """A regex for a line README shows: its content hashes and SRI values may be any."""
    out = []
    for part in re.split(r"(sha384-…|-[A-Z2-7]{8}(?=\.))", line):
        if part == "sha384-…":
            out.append(r"sha384-[A-Za-z0-9+/=]+")
        elif re.fullmatch(r"-[A-Z2-7]{8}", part):
            out.append(r"-[A-Z2-7]{8}")
        else:
            out.append(re.escape(part))
    return "".join(out)


@pytest.mark.node
def test_readme_flask_example_renders_what_it_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's 20-line example, its three files verbatim plus the assets they name: the
    page Flask renders is the one README shows (hashes and SRI aside), the hashed files are
    immutable and the source URL still answers, with no-cache."""
    blocks = fenced(section(readme(), EXAMPLE_SECTION))
    (yaml,) = [code for lang, code in blocks if lang == "yaml"]
    (app_py,) = [code for lang, code in blocks if lang == "python"]
    template, shown = [code for lang, code in blocks if lang == "html"]
    (tmp_path / "pipeline.yaml").write_text(yaml)
    (tmp_path / "app.py").write_text(app_py)
    (tmp_path / "templates/pages").mkdir(parents=True)
    (tmp_path / "templates/pages/index.html").write_text(template)
    for rel, body in {
        "css/app.css": "body { margin: 0 }\n",
        "js/app.js": "console.log(1);\n",
    }.items():
        (tmp_path / "static" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "static" / rel).write_text(body)
    (tmp_path / "static/img").mkdir()
    Image.new("RGB", (1000, 600), (40, 90, 160)).save(tmp_path / "static/img/hero.jpg")

    assetpipe.build(load_config(tmp_path / "pipeline.yaml"))
    spec = importlib.util.spec_from_file_location("readme_example_app", tmp_path / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "readme_example_app", module)
    spec.loader.exec_module(module)
    with module.app.test_client() as client:
        page = client.get("/").get_data(as_text=True)
        for line in shown.splitlines():
            assert re.search(line_pattern(line), page), f"README shows {line!r}; got:\n{page}"
        for url in re.findall(r'(?:href|src)="(/static/[^"]+)"', page):
            cache_control = client.get(url).headers["Cache-Control"]
            assert cache_control == "public, max-age=31536000, immutable", url
        source = client.get("/static/css/app.css")
        assert source.status_code == 200 and source.headers["Cache-Control"] == "no-cache"

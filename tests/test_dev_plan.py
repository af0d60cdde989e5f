"""Rebuild planning (``dev.plan.Planner``) on its own: which stages a batch of changed source
keys needs, and when only a full development build will do. No build runs here: the planner
reads the config, the sources and the last good build's state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from assetpipe.config import load_config
from assetpipe.config.templatedirs import scan_sources
from assetpipe.dev.plan import DevState, Planner
from assetpipe.esbuild.session import EsbuildSession
from assetpipe.manifest import Manifest

CONFIG = """\
source: site
static:
  include: ["robots.txt"]
images:
  include: ["img/**"]
scripts:
  entries: ["js/app.js"]
styles:
  entries: ["css/app.css"]
templates:
  dirs: [site/templates]
"""

FILES: dict[str, str | bytes] = {
    "site/robots.txt": "User-agent: *\n",
    "site/img/a.png": b"\x89PNG not decoded by the planner",
    "site/js/app.js": 'import "./util.js";\n',
    "site/js/util.js": "export const u = 1;\n",
    "site/css/app.css": "body { color: red }\n",
    "site/templates/page.html": "<p>hi</p>\n",
    "site/notes.md": "taken by no stage\n",
}


def _setup(make_site: Callable[..., Path]) -> tuple[Path, Planner, DevState]:
    root = make_site(CONFIG, FILES)
    cfg = load_config(root / "pipeline.yaml")
    state = DevState(
        build_dir=root / "dist",
        manifest=Manifest(),
        report={"scripts": {"script_tags": {}}},  # no template loads a script entry
        owners={},
        static_keys=frozenset({"robots.txt"}),
        keys=frozenset(scan_sources(cfg, memo=False).files),
    )
    return root, Planner(cfg, EsbuildSession(incremental=True)), state


def test_each_kind_of_change_runs_only_its_stage(make_site: Callable[..., Path]) -> None:
    _root, planner, state = _setup(make_site)
    sources = scan_sources(planner.config, memo=False)

    def stages(*keys: str) -> dict[str, frozenset[str] | None]:
        plan = planner.plan(set(keys), sources, state)
        assert not plan.full, plan.reason
        return plan.stages

    assert stages("img/a.png") == {"images": frozenset({"img/a.png"})}
    assert stages("robots.txt") == {"static": frozenset({"robots.txt"})}
    assert stages("templates/page.html") == {"templates": frozenset({"templates/page.html"})}
    # esbuild stages run whole; before their first build a source counts by its type
    assert stages("js/util.js") == {"scripts": None}
    assert stages("css/app.css") == {"styles": None}
    assert stages("img/a.png", "js/app.js") == {"images": frozenset({"img/a.png"}), "scripts": None}
    assert planner.plan({"notes.md"}, sources, state).nothing
    # lcp-hints.json changed: the templates stage runs for all its inputs
    whole = planner.plan(set(), sources, state, whole=frozenset({"templates"}))
    assert whole.stages == {"templates": None}


def test_what_needs_a_full_build(make_site: Callable[..., Path]) -> None:
    root, planner, state = _setup(make_site)
    cfg = planner.config
    sources = scan_sources(cfg, memo=False)
    first = planner.plan({"img/a.png"}, sources, None)
    assert first.full and first.reason == "no good build yet"
    (root / "site/img/b.png").write_bytes(b"new")
    added = planner.plan({"img/b.png"}, scan_sources(cfg, memo=False), state)
    assert added.full and added.reason == "img/b.png added or removed"
    # a new JS module no entry names is not a new entry: the scripts stage, not a full build
    (root / "site/js/extra.js").write_text("export const e = 2;\n")
    assert planner.plan({"js/extra.js"}, scan_sources(cfg, memo=False), state).stages == {
        "scripts": None
    }
    for path in ("site/img/a.png", "site/img/b.png"):
        (root / path).unlink()
    (root / "site/img").rmdir()
    moved = planner.plan({"img"}, scan_sources(cfg, memo=False), state)
    assert moved.full and moved.reason == "folder img moved or removed"
    # an editor's temp file, made and gone within the batch, changes nothing
    assert planner.plan({"js/.app.js.swp"}, sources, state).nothing


def test_a_template_that_now_loads_a_script_entry_differently_reruns_the_scripts(
    make_site: Callable[..., Path],
) -> None:
    """Which entries are classic scripts comes from the templates: a template edit that adds
    or drops ``type="module"`` on an entry's tag (or loads another entry) plans the scripts
    stage too; an edit that leaves the tags as recorded does not, and a build that recorded
    no tags at all reruns it to be safe."""
    root, planner, state = _setup(make_site)
    page = root / "site/templates/page.html"
    key = "templates/page.html"

    def stages(report: dict[str, Any]) -> set[str]:
        sources = scan_sources(planner.config, memo=False)
        return set(planner.plan({key}, sources, replace(state, report=report)).stages)

    recorded = {"scripts": {"script_tags": {key: [["js/app.js", "module"]]}}}
    page.write_text('<p>hi</p><script type="module" src="/static/js/app.js"></script>\n')
    assert stages(recorded) == {"templates"}
    page.write_text('<p>hi</p><script src="/static/js/app.js"></script>\n')
    assert stages(recorded) == {"templates", "scripts"}
    page.write_text("<p>no script now</p>\n")
    assert stages(recorded) == {"templates", "scripts"}
    assert stages({"scripts": {"script_tags": {}}}) == {"templates"}
    assert stages({}) == {"templates", "scripts"}

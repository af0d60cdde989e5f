"""Save-to-output latency of ``assetpipe watch``.

For a template, a CSS and a JS edit, on the bundled example site and on a generated site of 500
source files: the time from writing the file to the new output being on disk (the rewritten
template, or the new hashed bundle named by the new manifest), debounce included, with a real
watchdog observer and the real stages. The median over ``--runs`` edits each (the first edit of
each kind is a warm-up and not counted). Baseline measured in the same run: a warm full
development build of the same site (what a watcher without incremental rebuilds would pay per
save, cache hits included).

    /work/venv/bin/python bench/watch.py [--runs 15] [--debounce 30]

Prints a table and exits 1 when a median is above the 150 ms target.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from assetpipe import build  # noqa: E402
from assetpipe.config import load_config  # noqa: E402
from assetpipe.dev.watch import Watcher  # noqa: E402

TARGET_MS = 150.0


def example_site(root: Path, debounce: int) -> dict[str, str]:
    shutil.copytree(REPO / "examples", root / "examples")
    text = (REPO / "pipeline.yaml").read_text()
    (root / "pipeline.yaml").write_text(text + f"\nwatch: {{debounce_ms: {debounce}}}\n")
    return {
        "template": "examples/dashboard/templates/pages/reports.html",
        "template_out": "pages/reports.html",
        "css": "examples/dashboard/css/components.css",
        "css_key": "css/app.css",
        "js": "examples/dashboard/js/chart.js",
        "js_key": "js/dashboard.js",
    }


def generated_site(root: Path, debounce: int, n_files: int = 500) -> dict[str, str]:
    """500 source files: 200 JS modules in a tree under two entries, 100 CSS partials under one
    stylesheet, 150 templates (a layout linking the stylesheet and the main bundle, pages
    extending it, each showing an icon, one in ten with its own script), 50 static icons."""
    src = root / "site"
    n_js, n_css, n_tpl = 200, 100, 150
    n_icons = n_files - n_js - n_css - n_tpl
    for i in range(n_js - 2):
        kids = [j for j in (2 * i + 1, 2 * i + 2) if j < n_js - 2]
        body = "".join(f'import {{ f{j} }} from "./m{j}.js";\n' for j in kids)
        calls = " + ".join([f"f{j}()" for j in kids] or ["0"])
        (src / "js").mkdir(parents=True, exist_ok=True)
        (src / f"js/m{i}.js").write_text(
            body + f"export function f{i}() {{ return {i} + {calls}; }}\n"
        )
    (src / "js/main.js").write_text('import { f0 } from "./m0.js";\nconsole.log(f0());\n')
    (src / "js/other.js").write_text('import { f1 } from "./m1.js";\nconsole.log(f1());\n')
    (src / "css").mkdir()
    for i in range(n_css - 1):
        (src / f"css/p{i}.css").write_text(
            f".c{i} {{ color: rgb({i % 255}, 0, 0); margin: {i}px; }}\n"
        )
    (src / "css/app.css").write_text("".join(f'@import "./p{i}.css";\n' for i in range(n_css - 1)))
    (src / "icons").mkdir()
    for i in range(n_icons):
        (src / f"icons/i{i}.svg").write_text(
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{i + 1}" height="1"/>\n'
        )
    (src / "templates/pages").mkdir(parents=True)
    (src / "templates/base.html").write_text(
        '<!doctype html><html><head><link rel="stylesheet" href="/static/css/app.css">\n'
        "</head><body>{% block body %}{% endblock %}\n"
        '<script type="module" src="/static/js/main.js"></script></body></html>\n'
    )
    for i in range(n_tpl - 1):
        # like a real app: the layout links the bundle; one page in ten has its own script
        extra = '<script type="module" src="/static/js/other.js"></script>\n' if i % 10 == 0 else ""
        (src / f"templates/pages/t{i}.html").write_text(
            '{% extends "base.html" %}{% block body %}\n'
            f'<img src="/static/icons/i{i % n_icons}.svg" alt="" width="8" height="8">\n'
            f"{extra}<p>page {i}</p>{{% endblock %}}\n"
        )
    (root / "pipeline.yaml").write_text(
        "source: site\noutput: dist\nscripts:\n  entries: [js/main.js, js/other.js]\n"
        "styles:\n  entries: [css/app.css]\nstatic:\n  include: ['icons/**']\n"
        f"watch: {{debounce_ms: {debounce}}}\n"
    )
    count = sum(1 for p in src.rglob("*") if p.is_file())
    assert count == n_files, count
    return {
        "template": "site/templates/pages/t7.html",
        "template_out": "pages/t7.html",
        "css": "site/css/p42.css",
        "css_key": "css/app.css",
        "js": f"site/js/m{n_js - 3}.js",
        "js_key": "js/main.js",
    }


def _wait(pred: Callable[[], bool], timeout: float = 30.0) -> float:
    end = time.perf_counter() + timeout
    while True:
        if pred():
            return time.perf_counter()
        if time.perf_counter() > end:
            raise TimeoutError("no new output")
        time.sleep(0.0005)


def _manifest_file(root: Path, key: str) -> str | None:
    try:
        data = json.loads((root / "dist/manifest.json").read_text())
        name = str(data[key]["file"])
    except (OSError, ValueError, KeyError):
        return None
    return name if (root / "dist/public" / name).is_file() else None


def measure(root: Path, files: dict[str, str], runs: int) -> dict[str, list[float]]:
    cfg = load_config(root / "pipeline.yaml")
    w = Watcher(cfg, port=0, serve=False, on_line=lambda *a: None)
    w.start()
    out: dict[str, list[float]] = {"template": [], "css": [], "js": []}
    try:
        for i in range(runs + 1):
            for kind in ("template", "css", "js"):
                path = root / files[kind]
                original = path.read_text()
                marker = f"bench{i}x{time.time_ns()}"
                if kind == "template":
                    target = root / "dist/templates" / files["template_out"]
                    text = original + f"<!-- {marker} -->\n"
                    t0 = time.perf_counter()
                    path.write_text(text)
                    t1 = _wait(lambda t=target, m=marker: m in t.read_text())  # type: ignore[misc]
                else:
                    key = files[f"{kind}_key"]
                    old = _manifest_file(root, key)
                    text = original + (
                        f"/* {marker} */\n.{marker} {{ color: red; }}\n"
                        if kind == "css"
                        else f'export const {marker} = "{marker}";\n'
                    )
                    t0 = time.perf_counter()
                    path.write_text(text)
                    t1 = _wait(lambda k=key, o=old: _manifest_file(root, k) not in (None, o))  # type: ignore[misc]
                if i:  # the first round warms caches and contexts
                    out[kind].append((t1 - t0) * 1000)
                time.sleep(0.15)  # let the rebuild settle before the next edit
                w.wait_rebuilds(w.rebuilds, timeout=30)
    finally:
        w.close()
    if w.last_error is not None:
        raise SystemExit(f"the watcher reported an error: {w.last_error}")
    return out


def full_build_ms(root: Path) -> float:
    """Median of 3 warm full development builds (after one that fills the cache)."""
    cfg = load_config(root / "pipeline.yaml")
    build(cfg, profile="development")
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        build(cfg, profile="development")
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--debounce", type=int, default=30, help="watch.debounce_ms")
    args = ap.parse_args()
    print(
        f"assetpipe watch: save-to-output latency, median of {args.runs} edits "
        f"(debounce {args.debounce} ms included); {os.cpu_count()} cores, "
        f"load {os.getloadavg()[0]:.2f}"
    )
    print(
        f"{'site':<22}{'edit':<10}{'median ms':>10}{'p90 ms':>9}{'full dev build ms':>19}"
        f"{'speed-up':>10}"
    )
    worst = 0.0
    for name, make in (
        ("example (dashboard)", example_site),
        ("generated (500 files)", generated_site),
    ):
        with tempfile.TemporaryDirectory(prefix="assetpipe-bench-") as tmp:
            root = Path(tmp)
            files = make(root, args.debounce)
            full = full_build_ms(root)
            res = measure(root, files, args.runs)
        for kind, values in res.items():
            med = statistics.median(values)
            p90 = sorted(values)[max(0, int(len(values) * 0.9) - 1)]
            worst = max(worst, med)
            print(f"{name:<22}{kind:<10}{med:>10.1f}{p90:>9.1f}{full:>19.0f}{full / med:>9.1f}x")
    ok = worst <= TARGET_MS
    print(
        f"target: every median <= {TARGET_MS:.0f} ms: {'met' if ok else 'NOT met'} "
        f"(worst {worst:.1f} ms)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

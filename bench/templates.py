"""Benchmark: templates rewritten per second against parsing the same files with plain
BeautifulSoup (html.parser), measured in the same run.

Corpus: the real template sets the ``test`` extra installs (flask-admin, mkdocs' and sphinx's
themes, alabaster, flask-debugtoolbar) plus the bundled example's templates. Each template is
rewritten against a manifest holding every asset it references (as the corpus test does), with
the default ``templates.eager`` selectors, as a page template (so the LCP rule runs).

    /work/venv/bin/python bench/templates.py [--rounds 7]

Prints a Markdown table (best of ``--rounds`` passes over the whole corpus; others' load on the
machine adds noise, so compare the ratios, which are measured back to back).
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup

from assetpipe.config import TemplatesConfig
from assetpipe.rewrite.rules import Options, rewrite
from assetpipe.rewrite.scanner import scan

REPO = Path(__file__).resolve().parent.parent
PACKAGES = {"flask_admin": "templates", "mkdocs": "themes", "sphinx": "themes",
            "alabaster": "", "flask_debugtoolbar": "templates"}


def corpus() -> list[tuple[str, str]]:
    files: list[Path] = sorted((REPO / "examples/dashboard/templates").rglob("*.html"))
    for pkg, sub in PACKAGES.items():
        spec = importlib.util.find_spec(pkg)
        if spec and spec.submodule_search_locations:
            root = Path(next(iter(spec.submodule_search_locations))) / sub
            files += sorted(root.rglob("*.html"))
    out = []
    for p in files:
        try:
            out.append((p.name, p.read_text("utf-8")))
        except UnicodeDecodeError:
            continue
    return out


def manifest_for(text: str) -> dict[str, dict[str, Any]]:
    probe = rewrite(text, "x.html", {}, Options())
    man: dict[str, dict[str, Any]] = {}
    for _, _, key, _ in probe.missing:
        stem, _, ext = key.rpartition(".")
        man[key] = {"file": f"{stem}-ABCDEFGH.{ext}", "width": 800, "height": 600,
                    "integrity": "sha384-x",
                    "variants": [{"file": f"{stem}-{w}w-ABCDEFGH.webp", "width": w,
                                  "height": w * 3 // 4, "format": "webp", "size": 1}
                                 for w in (480, 800)]}
    return man


def best(fn: Callable[[], None], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    files = corpus()
    mans = [manifest_for(t) for _, t in files]
    total = sum(len(t) for _, t in files)
    eager = TemplatesConfig().eager
    page = Options(is_page=True, eager=eager)
    plain = Options(is_page=True, eager=())

    def bs4_parse() -> None:
        for _, t in files:
            BeautifulSoup(t, "html.parser")

    def rewrite_all(opts: Options) -> Callable[[], None]:
        def run() -> None:
            for (name, t), m in zip(files, mans, strict=True):
                rewrite(t, name, m, opts)
        return run

    def scan_all() -> None:
        for _, t in files:
            scan(t)

    rows = [
        ("BeautifulSoup(html.parser) parse (baseline)", best(bs4_parse, args.rounds)),
        ("assetpipe rewrite, default eager selectors", best(rewrite_all(page), args.rounds)),
        ("assetpipe rewrite, no selectors", best(rewrite_all(plain), args.rounds)),
        ("assetpipe scanner alone", best(scan_all, args.rounds)),
    ]
    base = rows[0][1]
    print(f"{len(files)} templates, {total / 1024:.0f} KiB, best of {args.rounds}\n")
    print("| what | templates/s | MiB/s | vs BeautifulSoup |")
    print("|---|---:|---:|---:|")
    for what, secs in rows:
        print(f"| {what} | {len(files) / secs:,.0f} | {total / secs / 2**20:.1f} "
              f"| {base / secs:.2f}x |")


if __name__ == "__main__":
    main()

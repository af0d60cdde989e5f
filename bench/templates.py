"""Benchmark: templates rewritten per second against parsing the same files with plain
BeautifulSoup (html.parser), measured in the same run.

Corpus: the real template sets the ``test`` extra installs (flask-admin, mkdocs' and sphinx's
themes, alabaster, flask-debugtoolbar) plus the bundled example's templates. Each template is
rewritten against a manifest holding every asset it references (as the corpus test does), with
the default ``templates.eager`` selectors, as a page template (so the LCP rule runs).

    /work/venv/bin/python bench/templates.py [--rounds 7]

Prints a Markdown table: per variant, the best CPU time of ``--rounds`` passes over the whole
corpus, the variants taking turns in each round (others' load on a shared machine adds noise to
wall-clock figures; CPU time and interleaving keep the ratios comparable).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from bs4 import BeautifulSoup

from assetpipe.config import TemplatesConfig
from assetpipe.rewrite.rules import Options, rewrite
from assetpipe.rewrite.scanner import scan
from tests.template_corpus import manifest_for, template_files

REPO = Path(__file__).resolve().parent.parent


def corpus() -> list[tuple[str, str]]:
    """``(name, text)`` of the example's templates and the installed template sets'."""
    paths = sorted((REPO / "examples/dashboard/templates").rglob("*.html"))
    paths += [p for _, _, p in template_files()[0]]
    out = []
    for p in paths:
        try:
            out.append((p.name, p.read_text("utf-8")))
        except UnicodeDecodeError:
            continue
    return out


def interleaved(fns: list[Callable[[], None]], rounds: int) -> list[float]:
    """Best CPU time (``process_time``: time spent waiting for a core on a shared machine is
    not counted) of each function, the functions taking turns within every round so that each
    ratio compares runs made under the same load."""
    best = [float("inf")] * len(fns)
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            t0 = time.process_time()
            fn()
            best[i] = min(best[i], time.process_time() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15)
    args = ap.parse_args()
    files = corpus()
    mans = [manifest_for(t, name) for name, t in files]
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

    names = [
        "BeautifulSoup(html.parser) parse (baseline)",
        "assetpipe rewrite, default eager selectors",
        "assetpipe rewrite, no selectors",
        "assetpipe scanner alone",
    ]
    secs = interleaved([bs4_parse, rewrite_all(page), rewrite_all(plain), scan_all], args.rounds)
    rows = list(zip(names, secs, strict=True))
    base = rows[0][1]
    print(
        f"{len(files)} templates, {total / 1024:.0f} KiB, best CPU time of {args.rounds}"
        " interleaved rounds\n"
    )
    print("| what | templates/s | MiB/s | vs BeautifulSoup |")
    print("|---|---:|---:|---:|")
    for what, best in rows:
        print(
            f"| {what} | {len(files) / best:,.0f} | {total / best / 2**20:.1f} "
            f"| {base / best:.2f}x |"
        )


if __name__ == "__main__":
    main()

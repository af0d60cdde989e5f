"""The real-app corpus in figures: per page, image bytes and all bytes downloaded by Chromium
with the app served plainly by Flask, after adoption (``assetpipe init`` + ``build``), and after
``assetpipe audit --app`` + a second build; and how much the full-page screenshot changed.

    python bench/real_apps.py [--json]

Same apps, set-up and measurement as tests/test_real_apps.py (which asserts on them): a fresh
browser context per load (cold cache), 1280x800, the page scrolled through so lazy images load,
bytes are the resources' encoded body sizes (what crossed the wire, before HTTP compression
on plain Flask, which compresses nothing). Prints the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "tests"), str(REPO)]

BYTES = """() => performance.getEntriesByType("resource").concat(
  performance.getEntriesByType("navigation")).reduce((n, e) => n + e.encodedBodySize, 0)"""


def measure(browser: Any, base: str, path: str, globals_: tuple[str, ...]) -> dict[str, Any]:
    from tests.real_apps import view

    v = view(browser, base, path, globals_)
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = ctx.new_page()
        page.goto(base + path, wait_until="networkidle")
        total = page.evaluate(BYTES)
    finally:
        ctx.close()
    return {"images": sum(v.image_bytes.values()), "all": total, "view": v}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    from assetpipe.audit.browser import launch
    from tests import test_real_apps as t
    from tests.real_apps import pixel_difference, run_cli, serve

    rows: list[dict[str, Any]] = []
    work = Path(tempfile.mkdtemp(prefix="assetpipe-corpus-"))
    with sync_playwright() as pw:
        browser = launch(pw)
        for name, (prepare, case) in sorted(t.CASES.items()):
            project = work / name
            project.mkdir()
            prepare(project)
            init_dir = project / case.init_dir
            phases: dict[str, dict[str, Any]] = {}

            def run(
                phase: str,
                adopt: bool,
                case: Any = case,
                project: Path = project,
                init_dir: Path = init_dir,
                phases: dict[str, Any] = phases,
                name: str = name,
            ) -> None:
                with serve(
                    project, case.setup, adopt=adopt, cwd=init_dir, log=work / f"{name}-{phase}.log"
                ) as base:
                    phases[phase] = {p: measure(browser, base, p, g) for p, g in case.pages}

            run("plain", False)
            for cmd in (("init",), ("build",)):
                assert run_cli(*cmd, cwd=init_dir).returncode == 0, cmd
            run("adopted", True)
            if case.audit_loop:
                cfg = init_dir / "pipeline.yaml"
                cfg.write_text(cfg.read_text().replace("\n# pages:\n#   - ", "\npages:\n  - "))
                run_cli("audit", "--app", case.audit_loop[0], "--runs", "1", cwd=init_dir)
                assert run_cli("build", cwd=init_dir).returncode == 0
                run("audited", True)
            for path, _ in case.pages:
                plain, adopted = phases["plain"][path], phases["adopted"][path]
                audited = phases.get("audited", {}).get(path)
                rows.append(
                    {
                        "app": name,
                        "page": path,
                        "image_bytes": [
                            plain["images"],
                            adopted["images"],
                            audited["images"] if audited else None,
                        ],
                        "all_bytes": [
                            plain["all"],
                            adopted["all"],
                            audited["all"] if audited else None,
                        ],
                        "screenshot_diff": pixel_difference(
                            plain["view"].screenshot, adopted["view"].screenshot
                        ),
                    }
                )
        browser.close()
    load = os.getloadavg()
    if args.json:
        print(json.dumps({"rows": rows, "loadavg": load}, indent=2))
        return 0
    print(
        "| app | page | image bytes: plain → adopted → audited | all bytes: plain → adopted "
        "| screenshot pixels changed |"
    )
    print("|---|---|---|---|---|")
    for r in rows:
        img = " → ".join(f"{b / 1024:,.1f} KiB" for b in r["image_bytes"] if b is not None)
        allb = " → ".join(f"{b / 1024:,.1f} KiB" for b in r["all_bytes"][:2])
        print(f"| {r['app']} | `{r['page']}` | {img} | {allb} | {r['screenshot_diff']:.3%} |")
    print(f"\nload average {', '.join(f'{x:.2f}' for x in load)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Agreement of ``assetpipe audit``'s LCP and FCP with Lighthouse 12's on the bundled example.

    /work/venv/bin/python bench/audit_agreement.py [--runs 5] [--profile mobile] [--json FILE]

Both measure the same pages, served by the same loopback server, in the same Chromium, under
the same throttling: Lighthouse 12.2.3 with ``--throttling-method=devtools`` and the mobile
profile's values (562.5 ms, 188,743 B/s down, 86,400 B/s up, 4x CPU, 412x823 @1.75), ours
through CDP. Medians of ``--runs`` runs each, the two tools' runs interleaved (one browser
launch per run for both, so they see the same machine load); the difference is relative to
Lighthouse's value.
Target: within 15 %.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright

from assetpipe.audit import lighthouse, throttle
from assetpipe.audit.browser import find_chromium, launch
from assetpipe.audit.locate import Locator
from assetpipe.audit.measure import measure
from assetpipe.audit.server import serve_site
from bench._audit_example import example_project


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--profile", choices=("mobile", "desktop"), default="mobile")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    cfg = example_project()
    profile = throttle.get(args.profile)
    chromium = find_chromium(cfg.audit.chromium)
    locator = Locator(cfg)
    rows = []
    with serve_site(cfg) as base:
        for page in cfg.pages:
            url = base + page.path
            ours: list[dict[str, float]] = []
            lh: list[dict[str, float]] = []
            for _ in range(args.runs):  # interleaved, so both see the same machine load
                with sync_playwright() as pw:
                    browser = launch(pw, executable=chromium)
                    ours.append(
                        measure(
                            browser, url, profile, headers={}, is_hashed=locator.is_hashed
                        ).metrics
                    )
                    browser.close()
                lh.append(lighthouse.run(url, profile, chromium)["metrics"])
            row: dict[str, object] = {"page": page.path}
            for key in ("fcp", "lcp"):
                a = statistics.median(r[key] for r in ours)
                b = statistics.median(r[key] for r in lh)
                row[key] = {
                    "ours": a,
                    "lighthouse": b,
                    "diff_pct": (a - b) / b * 100,
                    "ours_runs": [r[key] for r in ours],
                    "lighthouse_runs": [r[key] for r in lh],
                }
            rows.append(row)
    print(
        f"LCP and FCP: assetpipe audit vs Lighthouse {lighthouse.VERSION} "
        f"(devtools throttling, {args.profile}), median of {args.runs} runs each"
    )
    print()
    print("| page | FCP ours | FCP Lighthouse | diff | LCP ours | LCP Lighthouse | diff |")
    print("|---|---|---|---|---|---|---|")
    worst = 0.0
    for row in rows:
        f, lc = row["fcp"], row["lcp"]
        assert isinstance(f, dict) and isinstance(lc, dict)
        worst = max(worst, abs(f["diff_pct"]), abs(lc["diff_pct"]))
        print(
            f"| `{row['page']}` | {f['ours']:.0f} ms | {f['lighthouse']:.0f} ms | "
            f"{f['diff_pct']:+.1f} % | {lc['ours']:.0f} ms | {lc['lighthouse']:.0f} ms | "
            f"{lc['diff_pct']:+.1f} % |"
        )
    print()
    print(f"largest difference: {worst:.1f} % (target: within 15 %)")
    if args.json:
        args.json.write_text(
            json.dumps({"profile": args.profile, "runs": args.runs, "pages": rows}, indent=2)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

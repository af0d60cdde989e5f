"""Benchmark: what ``AssetPipe(app)`` adds to ``url_for('<blueprint>.static', filename=...)``
(the hashed name of a blueprint static file, ``assetpipe.blueprint_static``), against plain
Flask's ``url_for`` for the same call, on an app with 400 routes, measured in the same run.

    python bench/blueprint_url_for.py [--rounds 7] [--calls 5000]

Each round times ``--calls`` calls on each app in turn (interleaved); prints the median, least
and most microseconds per call of each, their ratio and the load average. A third row,
``assetpipe url()``, times the adopted app's ``url_for`` of a stylesheet naming five images by
relative ``url()`` (its hashed name covers theirs: one more ``stat`` per image and call).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

from flask import Flask, url_for

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.conftest import write_tree
from tests.test_blueprint_static import make_app

URLS: dict[str, str | bytes] = {
    f"shop/static/img/i{i}.png": b"\x89PNG" + bytes(100 + i) for i in range(5)
}
URLS["shop/static/css/urls.css"] = "".join(
    f".i{i} {{ background: url(../img/i{i}.png); }}\n" for i in range(5)
)


def make(root: Path, adopted: bool) -> Flask:
    """The tests' shop app (a blueprint with a static folder), with 400 more routes."""
    app = make_app(root, adopt=adopted)
    write_tree(root, URLS)
    for i in range(400):
        app.add_url_rule(f"/r{i}", f"r{i}", lambda: "")
    return app


def per_call(app: Flask, calls: int, filename: str = "css/shop.css") -> float:
    with app.test_request_context():
        start = time.perf_counter()
        for _ in range(calls):
            url_for("shop.static", filename=filename)
        return (time.perf_counter() - start) / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=5000)
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # "no build yet": this measures url_for only
    with tempfile.TemporaryDirectory() as tmp:
        apps = {"flask": make(Path(tmp, "a"), False), "assetpipe": make(Path(tmp, "b"), True)}
        times: dict[str, list[float]] = {k: [] for k in [*apps, "assetpipe url()"]}
        for _ in range(args.rounds):
            for name, app in apps.items():
                times[name].append(per_call(app, args.calls))
            times["assetpipe url()"].append(per_call(apps["assetpipe"], args.calls, "css/urls.css"))
    print("load average:", Path("/proc/loadavg").read_text().split()[:3])
    for name, ts in times.items():
        print(
            f"{name}: median {statistics.median(ts):.1f} us/call (least {min(ts):.1f}, "
            f"most {max(ts):.1f})"
        )
    ratio = statistics.median(times["assetpipe"]) / statistics.median(times["flask"])
    print(f"ratio (medians): {ratio:.2f}x")


if __name__ == "__main__":
    main()

"""Shared by the audit benchmarks: the bundled example built into a temporary project (its
pipeline.yaml with absolute paths, plus the committed lcp-hints.json), as the tests do; and a
heavier page on real npm JavaScript (``heavy_project``)."""

from __future__ import annotations

import shutil
import tempfile
import textwrap
from pathlib import Path

from assetpipe import build
from assetpipe.config import Config, load_config

REPO = Path(__file__).resolve().parent.parent

#: The heavy page's entry: the npm dashboard's own entry (Alpine.js, a Lit element, dayjs) plus
#: Chart.js (every controller registered) and Leaflet, imported eagerly and drawn after load:
#: ~400 KB of minified JavaScript parsed and run on every load. Leaflet draws vector markers
#: only (no tile server: the audit stays on loopback).
HEAVY_JS = """\
    import "./dashboard.js";
    import { Chart, registerables } from "chart.js";
    import L from "leaflet";
    import "leaflet/dist/leaflet.css";
    import { store } from "./lib/store.js";

    Chart.register(...registerables);
    function draw() {
      const series = store.series;
      new Chart(document.getElementById("trend"), {
        type: "line",
        data: { labels: series.map((p) => `${p.hour}:00`),
                datasets: [{ label: "requests", data: series.map((p) => p.value), tension: 0.3 }] },
        options: { animation: false, plugins: { legend: { display: false } } },
      });
      const map = L.map("map").setView([50, 1], 5);
      for (const p of [[51.505, -0.09], [48.8566, 2.3522], [52.52, 13.405]]) {
        L.circleMarker(p, { radius: 8 }).addTo(map);
      }
    }
    addEventListener("load", draw);
    """
HEAVY_HTML = """\
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8">
    <meta name="viewport" content="width=device-width,initial-scale=1">
    <title>Operations</title>
    <link rel="stylesheet" href="/static/css/app.css">
    <script type="module" src="/static/js/heavy.js"></script></head>
    <body x-data="dashboard">
    <h1>Operations dashboard</h1>
    <p>Requests, incidents and regions for the last 24 hours. The trend chart and the region map
    below are drawn in the browser from the same store the cards read.</p>
    <kpi-card label="Requests" value="12345"></kpi-card>
    <canvas id="trend" width="600" height="240"></canvas>
    <div id="map"></div>
    </body></html>
    """
#: Budgets a team would set for a JS dashboard on the mobile profile.
HEAVY_PIPELINE = """\
source: src
output: dist
public_path: /static/
scripts:
  entries: ["js/heavy.js"]
  target: [es2020]
styles:
  entries: ["css/app.css"]
templates:
  dirs: ["src/templates"]
pages:
  - {path: /, template: heavy.html}
budgets:
  - path: "/*"
    timings: {lcp: 4000, cls: 0.1, tbt: 600}
    resource_sizes: {script: 500}
    level: {timings: error, resource_sizes: error}
"""


def example_project() -> Config:
    """The root pipeline.yaml built in a temporary folder holding a copy of ``examples/`` (its
    paths are relative to the config's folder)."""
    root = Path(tempfile.mkdtemp(prefix="assetpipe-bench-audit-"))
    shutil.copytree(REPO / "examples", root / "examples")
    shutil.copy(REPO / "pipeline.yaml", root / "pipeline.yaml")
    if (REPO / "lcp-hints.json").is_file():
        shutil.copy(REPO / "lcp-hints.json", root / "lcp-hints.json")
    cfg = load_config(root / "pipeline.yaml")
    build(cfg)
    return cfg


def heavy_project() -> Config:
    """The npm dashboard of ``bench/real_npm_app.py`` (its sources and pinned packages, ``npm ci``
    on first use) with one page, ``/``, that loads ``HEAVY_JS`` eagerly, built with assetpipe
    (production) in a temporary folder."""
    from bench.real_npm_app import write_app

    root = Path(tempfile.mkdtemp(prefix="assetpipe-bench-heavy-"))
    write_app(root)
    for other in ("index.html", "admin.html"):  # their entries are not built here
        (root / "src" / "templates" / other).unlink()
    (root / "src" / "js" / "heavy.js").write_text(textwrap.dedent(HEAVY_JS), encoding="utf-8")
    (root / "src" / "templates" / "heavy.html").write_text(
        textwrap.dedent(HEAVY_HTML), encoding="utf-8"
    )
    (root / "pipeline.yaml").write_text(HEAVY_PIPELINE, encoding="utf-8")
    cfg = load_config(root / "pipeline.yaml")
    build(cfg, profile="production")
    return cfg

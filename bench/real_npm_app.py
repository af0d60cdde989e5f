"""Benchmark: a production build of a dashboard on real npm packages, assetpipe vs the raw
esbuild CLI vs Vite, in one run, interleaved (issue 13).

    .venv/bin/python bench/real_npm_app.py [--rounds 5] [--json]

The app (its sources written here, into ``.assetpipe/bench/real_npm_app/app``): two entries,
``js/dashboard.js`` (Alpine.js, a Lit element, dayjs) and ``js/admin.js`` (Lit, dayjs),
sharing a store module; two dynamic imports, a chart panel (Chart.js with every controller
registered) and a map panel (Leaflet, with its stylesheet and marker images); a stylesheet
entry. The npm packages are pinned in ``bench/npm-app/package.json`` + ``package-lock.json``
(``npm ci`` there on first run), Vite too; the raw esbuild CLI is assetpipe's own pin.

Each round runs, in a rotating order:

- ``assetpipe build --json`` (the CLI in a fresh process, production profile, compress
  included, its cache emptied before the timing starts; Python's bytecode cached, as for an
  installed package, even when the shell sets PYTHONDONTWRITEBYTECODE): wall time, and the
  per-stage seconds it reports; the same with ``compress: {brotli: false}`` and with
  ``compress: {brotli_quality: 10}``, each into its own output folder (the options a user has
  when build time matters more than the last bytes);
- the raw esbuild CLI with the options the scripts and styles stages use (two invocations,
  scripts then styles, no metafile): wall time;
- ``vite build`` with the same entries (ES modules, es2020, minified, source maps, manifest);
- with ``--against DIR`` (another checkout, e.g. ``git archive`` of an older commit into DIR):
  that checkout's cold ``assetpipe build`` too, so a change is measured against the code before
  it in the same run (``ratios.assetpipe_vs_against``, and per round).

Reported: medians and spread (min, max) per tool, the ratios (targets: ``assetpipe build`` ≤
1.0x Vite; scripts stage ≤ 1.3x the raw CLI's scripts invocation), the load average around each
round, the bytes browsers fetch (assetpipe's brotli siblings of what pages load, source maps
excluded) and the developer-only bytes, the floor brotli 11 puts under a build (its CPU
seconds on the files pages fetch, measured in this process, spread over every core, added to
the build's time without its compress stage), and whether brotli/zlib/zstandard release the GIL
(the main thread's longest stall while another thread compresses the largest output: a stall
near the call's duration means the GIL is held and threads cannot spread the work).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from assetpipe.esbuild.install import Esbuild  # noqa: E402
from assetpipe.esbuild.native import command  # noqa: E402

NPM = REPO / "bench" / "npm-app"
WORK = REPO / ".assetpipe" / "bench" / "real_npm_app"  # git-ignored
ENTRIES = ["js/dashboard.js", "js/admin.js"]
STYLES = ["css/app.css"]

SOURCES: dict[str, str] = {
    "js/lib/store.js": """\
        // Shared by both entries: formatting and a tiny reactive store.
        import dayjs from "dayjs";

        const listeners = new Set();
        export const store = {
          series: Array.from({ length: 24 },
                             (_, h) => ({ hour: h, value: Math.round(50 + 40 * Math.sin(h / 3)) })),
          events: [],
          push(event) {
            this.events.unshift({ ...event, at: dayjs().toISOString() });
            for (const fn of listeners) fn(this);
          },
        };
        export function subscribe(fn) { listeners.add(fn); return () => listeners.delete(fn); }
        export function formatNumber(n) {
          return new Intl.NumberFormat("en", { notation: "compact" }).format(n);
        }
        export function when(iso) { return dayjs(iso).format("D MMM YYYY, HH:mm"); }
        """,
    "js/dashboard.js": """\
        import Alpine from "alpinejs";
        import dayjs from "dayjs";
        import relativeTime from "dayjs/plugin/relativeTime";
        import { LitElement, html, css } from "lit";
        import { formatNumber, store, subscribe } from "./lib/store.js";

        dayjs.extend(relativeTime);

        class KpiCard extends LitElement {
          static properties = { label: {}, value: { type: Number }, since: {} };
          static styles = css`
            :host { display: block; padding: 1rem; border-radius: .5rem; background: #fff; }
            strong { font-size: 2rem; }
          `;
          render() {
            return html`<h3>${this.label}</h3><strong>${formatNumber(this.value)}</strong>
              <small>${this.since ? dayjs(this.since).fromNow() : ""}</small>`;
          }
        }
        customElements.define("kpi-card", KpiCard);

        Alpine.data("dashboard", () => ({
          tab: "overview",
          events: store.events,
          init() { subscribe((s) => { this.events = [...s.events]; }); },
          async showChart() {
            const { renderChart } = await import("./panels/chart-panel.js");
            renderChart(this.$refs.chart, store.series);
          },
          async showMap() {
            const { renderMap } = await import("./panels/map-panel.js");
            renderMap(this.$refs.map, [[51.505, -0.09], [48.8566, 2.3522]]);
          },
        }));
        window.Alpine = Alpine;
        Alpine.start();
        """,
    "js/admin.js": """\
        import { LitElement, html } from "lit";
        import { store, when, subscribe } from "./lib/store.js";

        class AuditLog extends LitElement {
          static properties = { events: { state: true } };
          constructor() { super(); this.events = store.events; }
          connectedCallback() {
            super.connectedCallback();
            this.off = subscribe((s) => { this.events = [...s.events]; });
          }
          disconnectedCallback() { super.disconnectedCallback(); this.off?.(); }
          render() {
            const items = this.events.map(
              (e) => html`<li><time>${when(e.at)}</time> ${e.text}</li>`);
            return html`<ol>${items}</ol>`;
          }
        }
        customElements.define("audit-log", AuditLog);

        document.querySelector("#trend")?.addEventListener("click", async (ev) => {
          const { renderChart } = await import("./panels/chart-panel.js");
          renderChart(ev.currentTarget.nextElementSibling, store.series);
          store.push({ text: "trend opened" });
        });
        """,
    "js/panels/chart-panel.js": """\
        import { Chart, registerables } from "chart.js";

        Chart.register(...registerables);
        export function renderChart(canvas, series) {
          return new Chart(canvas, {
            type: "line",
            data: { labels: series.map((p) => `${p.hour}:00`),
                    datasets: [{ label: "requests", data: series.map((p) => p.value),
                                 tension: 0.3 }] },
            options: { responsive: true, plugins: { legend: { display: false } } },
          });
        }
        """,
    "js/panels/map-panel.js": """\
        import L from "leaflet";
        import "leaflet/dist/leaflet.css";

        export function renderMap(el, points) {
          const map = L.map(el).setView(points[0], 5);
          L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", { maxZoom: 19 }).addTo(map);
          for (const p of points) L.marker(p).addTo(map);
          return map;
        }
        """,
    "css/app.css": """\
        :root { --bg: #f4f6fb; --ink: #1d2433; --accent: #3a66ff; }
        body { margin: 0; font: 16px/1.5 system-ui, sans-serif; background: var(--bg);
               color: var(--ink); }
        .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr));
                gap: 1rem; }
        .tabs button[aria-selected="true"] { border-bottom: 2px solid var(--accent); }
        #map { height: 24rem; }
        """,
    "templates/index.html": """\
        <!doctype html>
        <html><head><link rel="stylesheet" href="/static/css/app.css">
        <script type="module" src="/static/js/dashboard.js"></script></head>
        <body x-data="dashboard"><kpi-card label="Requests" value="12345"></kpi-card>
        <button @click="showChart()">chart</button><canvas x-ref="chart"></canvas>
        <button @click="showMap()">map</button><div id="map" x-ref="map"></div></body></html>
        """,
    "templates/admin.html": """\
        <!doctype html>
        <html><head><link rel="stylesheet" href="/static/css/app.css">
        <script type="module" src="/static/js/admin.js"></script></head>
        <body><audit-log></audit-log><button id="trend">trend</button><canvas></canvas>
        </body></html>
        """,
}

PIPELINE = """\
source: src
output: dist
public_path: /static/
scripts:
  entries: ["js/dashboard.js", "js/admin.js"]
  target: [es2020]
  sourcemap: linked
styles:
  entries: ["css/app.css"]
templates:
  dirs: ["src/templates"]
"""
#: the option a user has when build time matters more than the last bytes: no brotli 11 (gzip 9
#: siblings only; a server can still compress brotli on the fly), into its own output folder
PIPELINE_GZIP = (
    PIPELINE.replace("output: dist", "output: dist-gzip") + "compress: {brotli: false}\n"
)
#: the other option: brotli 10 instead of 11 for what pages fetch (~1.7 % more bytes)
PIPELINE_BR10 = (
    PIPELINE.replace("output: dist", "output: dist-br10") + "compress: {brotli_quality: 10}\n"
)


def write_app(app: Path) -> None:
    """The app's sources, its pipeline.yaml and vite.config.js; node_modules links to the
    bench's pinned install."""
    if not (NPM / "node_modules" / "vite" / "package.json").is_file():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=NPM, check=True
        )
    for rel, text in SOURCES.items():
        path = app / "src" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    (app / "pipeline.yaml").write_text(PIPELINE, encoding="utf-8")
    (app / "pipeline-gzip.yaml").write_text(PIPELINE_GZIP, encoding="utf-8")
    (app / "pipeline-br10.yaml").write_text(PIPELINE_BR10, encoding="utf-8")
    (app / "package.json").write_text('{"private": true, "type": "module"}\n', encoding="utf-8")
    link = app / "node_modules"
    if not link.is_symlink():
        link.symlink_to(NPM / "node_modules")
    inputs = {Path(e).stem: str(app / "src" / e) for e in ENTRIES + STYLES}
    (app / "vite.config.js").write_text(
        textwrap.dedent(f"""\
        // the same entries and options as pipeline.yaml: ES modules, es2020, minified, maps
        export default {{
          root: {json.dumps(str(app / "src"))},
          base: "/static/",
          logLevel: "warn",
          build: {{
            outDir: {json.dumps(str(app / "vite-dist"))},
            emptyOutDir: true,
            manifest: true,
            sourcemap: true,
            target: "es2020",
            rollupOptions: {{ input: {json.dumps(inputs)} }},
          }},
        }};
        """),
        encoding="utf-8",
    )


def esbuild_commands(app: Path) -> list[tuple[list[str], dict[str, str]]]:
    """The raw CLI invocations with the scripts and styles stages' own options (taken from the
    stages and run as the stage runs its binary, ``esbuild.native.command``, so they cannot
    drift), writing into ``raw-dist/``, no metafile."""
    from assetpipe.config import load_config
    from assetpipe.stages import scripts, styles
    from assetpipe.stages.bundling import Settings

    settings = Settings(load_config(app / "pipeline.yaml"), "production")
    tool = Esbuild.locate()
    out = []
    for stage, opts in (
        ("scripts", scripts.options(settings, ENTRIES)),
        ("styles", styles.options(settings, STYLES)),
    ):
        cmd, env = command(tool, dict(opts, outdir=str(app / "raw-dist" / stage)))
        out.append(([*cmd, "--log-level=warning"], env))
    return out


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    value = fn()
    return time.perf_counter() - t0, value


def children_cpu() -> float:
    """CPU seconds (user + system) of every finished child process so far."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def with_cpu(fn: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
    """``fn``'s result plus ``cpu``: the CPU seconds its child processes used (a figure other
    load on the machine disturbs far less than wall time)."""

    def run() -> dict[str, Any]:
        before = children_cpu()
        out = fn()
        out["cpu"] = children_cpu() - before
        return out

    return run


def python_env() -> dict[str, str]:
    """The environment of the assetpipe processes: this checkout first on the path, and bytecode
    cached (outside the repository) as for any installed package. A PYTHONDONTWRITEBYTECODE
    inherited from the shell would make every run compile assetpipe's modules from source
    (~0.08 s of CPU), which no installed copy pays."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(WORK / "pycache")
    env["PYTHONPATH"] = str(REPO)
    return env


def forget_builds(app: Path, config: str = "pipeline.yaml") -> None:
    """Empty ``config``'s cache (each config file has its own state folder, cache included:
    ``pipeline-gzip.yaml``'s is ``.assetpipe/pipeline-gzip.yaml/cache``) and drop every
    config's last-build record (a build that finds its inputs unchanged reuses the last one
    and runs no stage: not a cold build)."""
    from assetpipe.config import state_dir_for

    shutil.rmtree(state_dir_for(app / config) / "cache", ignore_errors=True)
    for record in (app / ".assetpipe").rglob("last-build.json"):
        record.unlink()


def run_assetpipe(
    app: Path, config: str = "pipeline.yaml", checkout: Path | None = None
) -> dict[str, Any]:
    # a cold build: the cache is emptied first, outside the timing (``--clean`` would time the
    # deletion of the last run's cache too; Vite keeps no build cache to delete)
    forget_builds(app, config)
    exe = [sys.executable, "-m", "assetpipe", "build", "--json", "--config", config]
    env = python_env()
    if checkout is not None:  # another checkout's assetpipe, its bytecode cached apart
        env["PYTHONPATH"] = str(checkout)
        env["PYTHONPYCACHEPREFIX"] = str(WORK / "pycache-against")
    seconds, proc = timed(
        lambda: subprocess.run(exe, cwd=app, env=env, capture_output=True, text=True, check=False)
    )
    if proc.returncode != 0:
        raise SystemExit(f"assetpipe build failed:\n{proc.stdout}\n{proc.stderr}")
    doc = json.loads(proc.stdout)
    if doc["cache"]["hits"]:  # a cold build or no figure: a warm one would time cache lookups
        raise SystemExit(f"not a cold build ({config}): {doc['cache']['hits']} cache hits")
    stages = {name: s["seconds"] for name, s in doc["stages"].items()}
    return {"seconds": seconds, "stages": stages}


def run_esbuild(app: Path, commands: list[tuple[list[str], dict[str, str]]]) -> dict[str, Any]:
    shutil.rmtree(app / "raw-dist", ignore_errors=True)
    parts = []
    for cmd, env in commands:
        seconds, proc = timed(
            lambda c=cmd, e=env: subprocess.run(  # type: ignore[misc]
                c, cwd=app / "src", env=e, capture_output=True, text=True, check=False
            )
        )
        if proc.returncode != 0:
            raise SystemExit(f"esbuild failed: {proc.stderr}")
        parts.append(seconds)
    return {"seconds": sum(parts), "scripts": parts[0], "styles": parts[1]}


def run_vite(app: Path) -> dict[str, Any]:
    vite = NPM / "node_modules" / ".bin" / "vite"
    seconds, proc = timed(
        lambda: subprocess.run(
            [str(vite), "build"], cwd=app, capture_output=True, text=True, check=False
        )
    )
    if proc.returncode != 0:
        raise SystemExit(f"vite build failed:\n{proc.stdout}\n{proc.stderr}")
    return {"seconds": seconds}


def gil_release(data: bytes) -> dict[str, dict[str, float]]:
    """For each binding: the call's duration alone, and the main thread's longest stall while
    another thread makes the same call (it wakes every 1 ms). A stall far below the call's
    duration means the binding releases the GIL: threads compress in parallel."""
    import zlib

    import brotli
    import zstandard

    calls: dict[str, Callable[[bytes], Any]] = {
        "brotli 11": lambda d: brotli.compress(d, quality=11),
        "zlib 9 (gzip)": lambda d: zlib.compress(d, 9),
        "zstandard 19": lambda d: zstandard.ZstdCompressor(level=19).compress(d),
    }
    out = {}
    for name, call in calls.items():
        alone, _ = timed(lambda c=call: c(data))  # type: ignore[misc]
        worker = threading.Thread(target=call, args=(data,))
        stall, last = 0.0, time.perf_counter()
        worker.start()
        while worker.is_alive():
            now = time.perf_counter()
            stall, last = max(stall, now - last), now
            time.sleep(0.001)
        worker.join()
        out[name] = {"alone_ms": alone * 1000, "longest_stall_ms": stall * 1000}
    return out


def output_bytes(app: Path, output: str = "dist") -> dict[str, int]:
    """assetpipe's output: what browsers fetch (raw, as brotli and as gzip siblings,
    developer-only files excluded) and the developer-only files (maps, LEGAL.txt). Only this
    build's files: those its manifest names, and their maps and legal files; ``public/`` also
    holds the previous build's files, retained for pages still open (counted, they doubled the
    figures when the previous build's names differed)."""
    from assetpipe.stages.compress import DEVELOPER_ONLY

    public = (app / output).resolve() / "public"
    named = (app / output / "manifest.json").read_text(encoding="utf-8")
    fetched = fetched_br = fetched_gz = dev = 0
    for p in public.rglob("*"):
        if not p.is_file() or p.suffix in (".br", ".gz", ".zst"):
            continue
        rel = p.relative_to(public).as_posix()
        own = rel.removesuffix(".map").removesuffix(".LEGAL.txt")
        if f'"{rel}"' not in named and f'"{own}"' not in named:
            continue
        size = p.stat().st_size
        if p.name.endswith(DEVELOPER_ONLY):
            dev += size
            continue
        fetched += size
        br = p.with_name(p.name + ".br")
        fetched_br += br.stat().st_size if br.is_file() else size
        gz = p.with_name(p.name + ".gz")
        fetched_gz += gz.stat().st_size if gz.is_file() else size
    return {
        "fetched": fetched,
        "fetched_br": fetched_br,
        "fetched_gz": fetched_gz,
        "developer_only": dev,
    }


def vite_bytes(app: Path) -> dict[str, int]:
    out = app / "vite-dist"
    files = [p for p in out.rglob("*") if p.is_file() and ".vite" not in p.parts]
    return {
        "fetched": sum(p.stat().st_size for p in files if p.suffix != ".map"),
        "developer_only": sum(p.stat().st_size for p in files if p.suffix == ".map"),
    }


#: (label, module file suffix, function name) of the parts a cold build's time goes to
PROFILED = (
    ("import assetpipe + builder (process start aside)", "", ""),
    ("scripts stage", "stages/scripts.py", "run"),
    ("  classic-script template scan", "stages/classic.py", "plan"),
    ("  esbuild native binary (process, its metafile)", "assetpipe/esbuild/native.py", "build"),
    ("  cache key: hashing esbuild's inputs", "stages/bundling.py", "_content_key"),
    ("  cache store of the outputs", "assetpipe/pipeline/cache.py", "put"),
    ("  manifest entries from the metafile (SRI)", "assetpipe/esbuild/metafile.py", "entries"),
    ("  writing public/ (outputs, maps)", "stages/base.py", "write_public"),
    ("styles stage", "stages/styles.py", "run"),
    ("templates stage", "stages/templates.py", "run"),
    ("compress stage", "stages/compress.py", "run"),
)


def profile_build(app: Path) -> dict[str, float]:
    """One cold build in this process under cProfile: cumulative seconds of the parts above
    (cache, source map and manifest handling included). ``cache.put`` and ``write_public``
    also count the other stages' calls."""
    import cProfile
    import pstats

    code = "import assetpipe.pipeline.run"
    subprocess.run([sys.executable, "-c", code], env=python_env(), check=True)  # bytecode
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=python_env(), check=True)
    started = time.perf_counter() - t0
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    bare = time.perf_counter() - t0
    from assetpipe import build

    forget_builds(app)
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    build(app / "pipeline.yaml")
    prof.disable()
    total = time.perf_counter() - t0
    stats: dict[Any, Any] = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    out = {PROFILED[0][0]: started - bare}
    for label, suffix, func in PROFILED[1:]:
        out[label] = sum(
            v[3]
            for (file, _line, name), v in stats.items()
            if name == func and file.endswith(suffix)
        )
    out["whole build() call (profiler overhead included)"] = total
    return out


def compress_policies(app: Path, rounds: int = 3) -> dict[str, Any]:
    """The compress stage's work on this build's outputs, in this process, interleaved: the
    policy before (brotli 11 + gzip 9 for every text file, source maps included, one thread
    per file doing both) against the stage's (``levels``: source maps at fast levels; one
    task per file and encoding, largest first). Wall seconds, and the bytes of the siblings
    of what pages fetch (they must not grow)."""
    from concurrent.futures import ThreadPoolExecutor

    from assetpipe.stages.compress import DEVELOPER_ONLY, candidates, encode, levels

    public = (app / "dist").resolve() / "public"
    files = {
        rel: (public / rel).read_bytes()
        for rel in candidates(public)
        if not rel.endswith((".br", ".gz", ".zst"))
    }
    workers = os.cpu_count() or 1

    def before() -> dict[str, bytes]:
        def one(rel: str) -> dict[str, bytes]:
            return {f"{rel}.{e}": encode(files[rel], e) for e in ("br", "gzip")}

        out: dict[str, bytes] = {}
        with ThreadPoolExecutor(workers) as pool:
            for part in pool.map(one, files):
                out.update(part)
        return out

    def now() -> dict[str, bytes]:
        jobs = sorted(
            (
                (len(files[r]), r, e, lv)
                for r in files
                for e, lv in levels(r, ("br", "gzip"), "fast").items()
            ),
            reverse=True,
        )
        with ThreadPoolExecutor(workers) as pool:
            futures = {
                f"{r}.{e}": pool.submit(encode, files[r], e, level=lv) for _n, r, e, lv in jobs
            }
            return {k: f.result() for k, f in futures.items()}

    times: dict[str, list[float]] = {"before": [], "now": []}
    sizes: dict[str, int] = {}
    for i in range(rounds):
        for name, fn in (("before", before), ("now", now))[:: 1 if i % 2 == 0 else -1]:
            seconds, out = timed(fn)
            times[name].append(seconds)
            sizes[name] = sum(
                len(b) for k, b in out.items() if not k.rsplit(".", 1)[0].endswith(DEVELOPER_ONLY)
            )
    return {
        "before": summary(times["before"]),
        "now": summary(times["now"]),
        "ratio": statistics.median(times["before"]) / statistics.median(times["now"]),
        "browser_sibling_bytes": sizes,
        "input_bytes": sum(map(len, files.values())),
    }


def brotli_floor(app: Path, rounds: int = 2) -> dict[str, float]:
    """CPU seconds of brotli 11 (the stage's own call) on the files pages fetch from this
    build, best of ``rounds`` per file (thread CPU time: other load barely moves it), and at
    quality 10 for comparison; ``siblings_checked``: how many of those files' ``.br`` and
    ``.gz`` siblings were compared, file by file, with brotli 11 (text mode) and gzip 9
    (mtime 0) of the file made here with the libraries directly (it stops on a difference:
    no speed bought with bytes)."""
    import brotli

    from assetpipe.stages.compress import DEVELOPER_ONLY, candidates, encode

    public = (app / "dist").resolve() / "public"
    named = {
        rel: (public / rel).read_bytes()
        for rel in candidates(public)
        if not rel.endswith(DEVELOPER_ONLY) and not rel.endswith((".br", ".gz", ".zst"))
    }
    files = list(named.values())
    out = {}
    for quality in (11, 10):
        total = 0.0
        for data in files:
            best = float("inf")
            for _ in range(rounds):
                t0 = time.thread_time()
                encode(data, "br", level=quality)
                best = min(best, time.thread_time() - t0)
            total += best
        out[f"brotli{quality}_cpu"] = total
    out["input_bytes"] = float(sum(map(len, files)))
    checked = 0
    for rel, data in named.items():
        reference = {
            ".br": brotli.compress(data, quality=11, mode=brotli.MODE_TEXT),
            ".gz": gzip_9(data),
        }
        for suffix, want in reference.items():
            sibling = public / (rel + suffix)
            if sibling.is_file() and sibling.read_bytes() != want:
                raise SystemExit(f"{rel}{suffix}: not the bytes of the reference encoder")
            checked += sibling.is_file()
    out["siblings_checked"] = float(checked)
    return out


def gzip_9(data: bytes) -> bytes:
    """gzip 9 with mtime 0 and no file name (the bytes the compress stage promises)."""
    import gzip
    import io

    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=buf, mtime=0) as gz:
        gz.write(data)
    return buf.getvalue()


def summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    ap.add_argument(
        "--against",
        type=Path,
        help="another checkout (a folder holding the assetpipe package, e.g. `git archive` of "
        "an older commit): its cold `assetpipe build`, interleaved as assetpipe_against",
    )
    args = ap.parse_args()
    app = WORK / "app"
    write_app(app)
    commands = esbuild_commands(app)
    tools: dict[str, Callable[[], dict[str, Any]]] = {
        "assetpipe": with_cpu(lambda: run_assetpipe(app)),
        "esbuild": with_cpu(lambda: run_esbuild(app, commands)),
        "vite": with_cpu(lambda: run_vite(app)),
        "assetpipe_gzip": with_cpu(lambda: run_assetpipe(app, "pipeline-gzip.yaml")),
        "assetpipe_br10": with_cpu(lambda: run_assetpipe(app, "pipeline-br10.yaml")),
    }
    if args.against is not None:
        tools["assetpipe_against"] = with_cpu(
            lambda: run_assetpipe(app, checkout=args.against.resolve())
        )
    for fn in tools.values():  # warm the file cache and Node's compile cache once
        fn()
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in tools}
    loads = []
    names = list(tools)
    for r in range(args.rounds):
        loads.append(os.getloadavg()[0])
        for name in names[r % len(names) :] + names[: r % len(names)]:
            runs[name].append(tools[name]())
    loads.append(os.getloadavg()[0])

    def med(name: str, key: str = "seconds") -> dict[str, float]:
        return summary([x[key] for x in runs[name]])

    stage = {
        s: summary([x["stages"].get(s, 0.0) for x in runs["assetpipe"]])
        for s in runs["assetpipe"][0]["stages"]
    }
    # the largest output's bytes now: the profiled build below replaces the build they are in
    biggest = max(
        ((app / "dist").resolve() / "public").rglob("*.map"), key=lambda p: p.stat().st_size
    )
    biggest_name, biggest_bytes = biggest.name, biggest.read_bytes()
    without_compress = summary(
        [x["seconds"] - x["stages"].get("compress", 0.0) for x in runs["assetpipe"]]
    )
    cores = os.cpu_count() or 1
    floor = brotli_floor(app)
    floor["lower_bound_wall"] = without_compress["median"] + floor["brotli11_cpu"] / cores
    floor["lower_bound_vs_vite"] = floor["lower_bound_wall"] / med("vite")["median"]
    floor["brotli11_cpu_vs_vite_cpu"] = floor["brotli11_cpu"] / med("vite", "cpu")["median"]
    report = {
        "rounds": args.rounds,
        "cpus": os.cpu_count(),
        "load_average": loads,
        "assetpipe": med("assetpipe"),
        "stages": stage,
        "assetpipe_without_compress_stage": without_compress,
        "cpu_seconds": {name: med(name, "cpu") for name in tools},
        "profile": profile_build(app),
        "compress_policies": compress_policies(app),
        "esbuild": med("esbuild"),
        "esbuild_scripts": med("esbuild", "scripts"),
        "esbuild_styles": med("esbuild", "styles"),
        "vite": med("vite"),
        "assetpipe_gzip": med("assetpipe_gzip"),
        "assetpipe_br10": med("assetpipe_br10"),
        "brotli_floor": floor,
        "ratios": {
            "assetpipe_vs_vite": med("assetpipe")["median"] / med("vite")["median"],
            "assetpipe_without_compress_vs_vite": without_compress["median"]
            / med("vite")["median"],
            "assetpipe_gzip_only_vs_vite": med("assetpipe_gzip")["median"] / med("vite")["median"],
            "assetpipe_br10_vs_vite": med("assetpipe_br10")["median"] / med("vite")["median"],
            "assetpipe_vs_vite_cpu": med("assetpipe", "cpu")["median"]
            / med("vite", "cpu")["median"],
            "scripts_stage_vs_raw_cli": stage["scripts"]["median"]
            / med("esbuild", "scripts")["median"],
            "scripts_styles_vs_raw_cli": (
                stage["scripts"]["median"] + stage.get("styles", {"median": 0.0})["median"]
            )
            / med("esbuild")["median"],
        },
        "bytes": {
            "assetpipe": output_bytes(app),
            "assetpipe_gzip": output_bytes(app, "dist-gzip"),
            "assetpipe_br10": output_bytes(app, "dist-br10"),
            "vite": vite_bytes(app),
        },
        "gil": {
            "input": f"{biggest_name} ({len(biggest_bytes)} B)",
            **gil_release(biggest_bytes),
        },
    }
    if args.against is not None:
        report["assetpipe_against"] = med("assetpipe_against")
        report["ratios"]["assetpipe_vs_against"] = (
            med("assetpipe")["median"] / med("assetpipe_against")["median"]
        )
        report["ratios"]["assetpipe_vs_against_per_round"] = [
            a["seconds"] / b["seconds"]
            for a, b in zip(runs["assetpipe"], runs["assetpipe_against"], strict=True)
        ]
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(
        f"real npm app, {args.rounds} interleaved rounds, {os.cpu_count()} CPUs, load average "
        f"(1 min) {min(loads):.2f}-{max(loads):.2f}"
    )

    def line(label: str, s: dict[str, float]) -> None:
        print(
            f"  {label:<34} median {s['median'] * 1000:8.0f} ms   "
            f"(min {s['min'] * 1000:.0f}, max {s['max'] * 1000:.0f})"
        )

    line("assetpipe build (CLI, cold cache)", report["assetpipe"])
    for s, v in stage.items():
        line(f"  stage {s}", v)
    line("raw esbuild CLI (scripts+styles)", report["esbuild"])
    line("  scripts invocation", report["esbuild_scripts"])
    line("  styles invocation", report["esbuild_styles"])
    line("vite build", report["vite"])
    line("assetpipe minus its compress stage", without_compress)
    line("assetpipe, compress: {brotli: false}", report["assetpipe_gzip"])
    line("assetpipe, compress: {brotli_quality: 10}", report["assetpipe_br10"])
    print(
        f"  brotli 11 on what pages fetch ({floor['input_bytes']:.0f} B): "
        f"{floor['brotli11_cpu']:.3f} s of CPU (brotli 10: {floor['brotli10_cpu']:.3f} s), "
        f"{floor['brotli11_cpu_vs_vite_cpu']:.2f}x Vite's whole CPU; the build without its "
        f"compress stage + that CPU over {cores} cores = {floor['lower_bound_wall'] * 1000:.0f} ms"
        f", {floor['lower_bound_vs_vite']:.2f}x Vite's wall: the least a brotli 11 build can take"
    )
    print(
        f"  {floor['siblings_checked']:.0f} .br/.gz siblings of what pages fetch: byte-identical "
        "to brotli 11 / gzip 9 of each file, file by file"
    )
    for name, v in report["cpu_seconds"].items():
        line(f"CPU time, {name}", v)
    cp = report["compress_policies"]
    line("compress work, before (br 11 + gz 9 on all)", cp["before"])
    line("compress work, now (maps fast, per task)", cp["now"])
    print(
        f"    {cp['ratio']:.2f}x faster; siblings of what pages fetch (br + gz): "
        f"{cp['browser_sibling_bytes']} B"
    )
    print("  where a cold build's time goes (in-process, cProfile, seconds):")
    for k, v in report["profile"].items():
        print(f"    {k:<44} {v:7.3f}")
    for k, v in report["ratios"].items():
        if isinstance(v, float):
            print(f"  {k}: {v:.2f}x")
    r = report["ratios"]
    for what, value, target in (
        ("assetpipe build vs vite build", r["assetpipe_vs_vite"], 1.0),
        ("scripts stage vs raw esbuild CLI", r["scripts_stage_vs_raw_cli"], 1.3),
    ):
        verdict = "met" if value <= target else "NOT met"
        print(f"  target: {what} {value:.2f}x <= {target}x: {verdict}")
    print(f"  bytes: {report['bytes']}")
    print(f"  GIL ({report['gil']['input']}):")
    for k, v in report["gil"].items():
        if isinstance(v, dict):
            print(
                f"    {k}: {v['alone_ms']:.0f} ms alone, main thread's longest stall "
                f"{v['longest_stall_ms']:.0f} ms"
            )


if __name__ == "__main__":
    main()

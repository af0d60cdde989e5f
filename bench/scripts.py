"""Benchmark: the scripts stage against esbuild's raw CLI, and the esbuild service's rebuild().

    /work/venv/bin/python bench/scripts.py [--runs 15] [--rebuilds 40] [--json]

In one run, on two apps:

- ``generated``: 300 generated ES modules (3 entries, a shared utility layer, 3 dynamically
  imported widget trees);
- ``npm``: an app built from real npm packages (chart.js, lit, dayjs, exact versions installed
  with ``npm install`` into the bench's work folder) with shared code and a dynamic import;

it measures

1. the scripts stage's wall time (``BuildResult.stages["scripts"].seconds`` of a real
   ``assetpipe.build``: esbuild's native binary with ``--metafile``, reading the outputs back,
   SRI, writing ``public/``, the manifest entries) against the raw esbuild CLI run by hand with
   the same options (no metafile) on the same input, interleaved, medians of ``--runs``; target
   ratio <= 1.2. The stage's files are checked byte-equal to the CLI's. Also the stage's own
   overhead: its time outside esbuild's process (metafile, reading outputs back, SRI, writes,
   manifest), which other load on the machine disturbs far less than the ratio.
2. the esbuild service: its fixed start-up cost (Node + the JS API, until it answers), and
   ``rebuild()`` latency of a long-lived context after a one-file edit (median and p95 of
   ``--rebuilds`` edits, round trip through the JSON protocol, outputs returned to Python);
   target median <= 50 ms.

Other processes on the machine add noise (the load average is printed); ratios are measured in
the same run. Work folder: ``.assetpipe/bench/scripts`` (kept, so the npm install is reused).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import assetpipe.esbuild.native as esbuild_mod  # noqa: E402
from assetpipe import build  # noqa: E402
from assetpipe.config import load_config  # noqa: E402
from assetpipe.esbuild.install import Esbuild  # noqa: E402
from assetpipe.esbuild.native import command  # noqa: E402
from assetpipe.esbuild.service import Service  # noqa: E402
from assetpipe.manifest import Manifest  # noqa: E402
from assetpipe.pipeline import reuse  # noqa: E402
from assetpipe.stages import scripts as scripts_stage  # noqa: E402
from assetpipe.stages.bundling import Settings  # noqa: E402

WORK = REPO / ".assetpipe" / "bench" / "scripts"  # git-ignored; the npm install is reused
NPM_DEPS = {"chart.js": "4.6.1", "lit": "3.3.3", "dayjs": "1.11.23"}


# --- the apps ----------------------------------------------------------------------------------


def _module(i: int, imports: list[tuple[int, str]], dynamic: list[str] | None = None) -> str:
    lines = [f'import {{ f{j} }} from "{path}";' for j, path in imports]
    lines += [
        f"// module {i}: a realistic-sized unit of app code",
        f"export class Widget{i} {{",
        "  constructor(el, options = {}) {",
        "    this.el = el;",
        f"    this.options = {{ id: {i}, label: `widget-{i}`, ...options }};",
        "    this.items = [];",
        "  }",
        "  add(item) { this.items.push({ ...item, at: Date.now() }); return this; }",
        "  total() { return this.items.reduce((sum, x) => sum + (x.value ?? 0), 0); }",
        "  render() {",
        '    const rows = this.items.map((x) => `<li data-id="${x.id}">${x.label}</li>`);',
        '    this.el.innerHTML = `<ul class="w-' + str(i) + '">${rows.join("")}</ul>`;',
        "  }",
        "}",
        f"export function f{i}(x) {{",
        f"  let acc = {i};",
    ]
    lines += [f"  acc += f{j}(x + {k});" for k, (j, _) in enumerate(imports)]
    lines += ["  return acc % 9973;", "}"]
    for path in dynamic or []:
        lines.append(f'export const load{i} = () => import("{path}").then((m) => m);')
    return "\n".join(lines) + "\n"


def generated_app(root: Path, n: int = 300) -> list[str]:
    """300 modules: 30 shared utilities, 3 widget trees loaded dynamically, 3 entries."""
    src = root / "site"
    shutil.rmtree(src, ignore_errors=True)
    files: dict[str, str] = {}
    util = list(range(30))
    for i in util:
        deps = [(j, f"./u{j}.js") for j in util if j < i and (i + j) % 7 == 0][:3]
        files[f"js/util/u{i}.js"] = _module(i, deps)
    feature = list(range(30, n - 3))
    trees = [feature[k::6] for k in range(6)]
    for t, tree in enumerate(trees):
        for pos, i in enumerate(tree):
            deps = [(j, f"./m{j}.js") for j in tree[max(0, pos - 3) : pos] if (i + j) % 2 == 0]
            deps += [(u, f"../../util/u{u}.js") for u in util if (i * 7 + u) % 29 == 0][:2]
            files[f"js/features/t{t}/m{i}.js"] = _module(i, deps)
    entries = []
    for e in range(3):
        i = n - 3 + e
        static_tree = trees[e]
        lazy_tree = trees[e + 3]
        deps = [(j, f"./features/t{e}/m{j}.js") for j in static_tree[-4:]]
        deps += [(u, f"./util/u{u}.js") for u in util[e * 3 : e * 3 + 5]]
        body = _module(i, deps, [f"./features/t{e + 3}/m{lazy_tree[-1]}.js"])
        name = ("dashboard", "admin", "settings")[e]
        files[f"js/{name}.js"] = body + f"document.documentElement.dataset.app = '{name}';\n"
        entries.append(f"js/{name}.js")
    for rel, text in files.items():
        p = src / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    assert len(files) == n, len(files)
    return entries


def npm_app(root: Path) -> list[str]:
    """An app on real npm packages: two entries share code; the chart panel is a dynamic
    import (chart.js lands in its own chunk)."""
    pkg = {"name": "bench-npm-app", "private": True, "type": "module", "dependencies": NPM_DEPS}
    root.mkdir(parents=True, exist_ok=True)
    (root / "package.json").write_text(json.dumps(pkg, indent=2))
    installed = all((root / "node_modules" / name / "package.json").is_file() for name in NPM_DEPS)
    if not installed:
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=root, check=True
        )
    files = {
        "js/shared/format.js": """\
            import dayjs from "dayjs";
            import relativeTime from "dayjs/plugin/relativeTime.js";
            dayjs.extend(relativeTime);
            export const ago = (d) => dayjs(d).fromNow();
            export const day = (d) => dayjs(d).format("YYYY-MM-DD");
            """,
        "js/shared/card.js": """\
            import { LitElement, html, css } from "lit";
            import { ago } from "./format.js";
            export class StatCard extends LitElement {
              static properties = { label: {}, value: { type: Number }, at: {} };
              static styles = css`:host { display: block; padding: 1rem; }`;
              render() {
                return html`<h2>${this.label}</h2><p>${this.value}</p>
                  <small>${ago(this.at)}</small>`;
              }
            }
            customElements.define("stat-card", StatCard);
            """,
        "js/panels/chart-panel.js": """\
            import { Chart } from "chart.js/auto";
            import { day } from "../shared/format.js";
            export function mount(canvas, points) {
              return new Chart(canvas, {
                type: "line",
                data: { labels: points.map((p) => day(p.at)),
                        datasets: [{ label: "launches", data: points.map((p) => p.v) }] },
              });
            }
            """,
        "js/main.js": """\
            import "./shared/card.js";
            import { day } from "./shared/format.js";
            document.title = `Dashboard ${day(Date.now())}`;
            document.getElementById("chart")?.addEventListener("click", async (ev) => {
              const { mount } = await import("./panels/chart-panel.js");
              mount(ev.target, [{ at: Date.now(), v: 3 }]);
            });
            """,
        "js/admin.js": """\
            import "./shared/card.js";
            import { ago } from "./shared/format.js";
            document.querySelectorAll("time").forEach((t) => { t.textContent = ago(t.dateTime); });
            """,
    }
    for rel, text in files.items():
        p = root / "site" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text))
    return ["js/main.js", "js/admin.js"]


# --- measurements ------------------------------------------------------------------------------


def cli_cmd(
    root: Path, tool: Esbuild, entries: list[str], outdir: Path
) -> tuple[list[str], dict[str, str]]:
    """The raw esbuild CLI with the scripts stage's own options (``esbuild.native.command``,
    what the stage runs minus its metafile), writing into ``outdir``; run it in ``site/``."""
    opts = scripts_stage.options(Settings(load_config(root / "pipeline.yaml")), entries)
    cmd, env = command(tool, dict(opts, outdir=str(outdir)))
    return [*cmd, "--log-level=error"], env


def files_under(folder: Path, suffixes: tuple[str, ...] = (".js", ".map")) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name.endswith(suffixes)
    }


def compare(name: str, root: Path, entries: list[str], runs: int) -> dict[str, Any]:
    tool = Esbuild.locate()
    (root / "pipeline.yaml").write_text(
        "source: site\noutput: dist\nretain_builds: 1\ncompress: {brotli: false, gzip: false}\n"
        f"scripts:\n  entries: {json.dumps(entries)}\n"
    )
    build(root / "pipeline.yaml")  # warm-up: page cache, esbuild located
    outdir = root / ".assetpipe" / "esbuild" / "scripts"
    stage: list[float] = []
    raw: list[float] = []
    overhead: list[float] = []
    cli_out = root / ".assetpipe" / "bench-cli"

    inside: list[float] = []  # per stage run: seconds spent starting and waiting on esbuild
    real_start, real_wait = esbuild_mod.start, subprocess.Popen.communicate

    def timed_start(*a: Any, **kw: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return real_start(*a, **kw)
        finally:
            inside.append(time.perf_counter() - t0)

    def timed_wait(self: Any, *a: Any, **kw: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return real_wait(self, *a, **kw)
        finally:
            inside.append(time.perf_counter() - t0)

    def run_stage() -> None:
        # the stage's cache would answer a repeated build without esbuild: empty its entries
        # (the source-hash memo stays, as after a real edit) so each run really bundles
        shutil.rmtree(root / ".assetpipe" / "cache" / "entries", ignore_errors=True)
        # and the record that lets a build with unchanged inputs reuse the last one whole
        (root / ".assetpipe" / reuse.RECORD).unlink(missing_ok=True)
        # esbuild's process, from its start to its exit (``native.start`` + the wait in
        # ``Pending.result``); nothing else in the stage starts a process
        esbuild_mod.start = timed_start
        subprocess.Popen.communicate = timed_wait  # type: ignore[method-assign]
        try:
            stage.append(build(root / "pipeline.yaml").stages["scripts"].seconds)
        finally:
            esbuild_mod.start = real_start
            subprocess.Popen.communicate = real_wait  # type: ignore[method-assign]
        overhead.append(stage[-1] - sum(inside))
        inside.clear()

    raw_cmd, env = cli_cmd(root, tool, entries, cli_out)

    def run_cli() -> None:
        t0 = time.perf_counter()
        subprocess.run(raw_cmd, cwd=root / "site", env=env, check=True)
        raw.append(time.perf_counter() - t0)

    for i in range(runs):  # alternate which goes first, so neither always runs warmer
        for fn in (run_stage, run_cli) if i % 2 == 0 else (run_cli, run_stage):
            fn()
    # the byte comparison: the CLI into the very folder the stage points esbuild at (source
    # map paths are relative to it)
    shutil.rmtree(outdir, ignore_errors=True)
    cmd, env = cli_cmd(root, tool, entries, outdir)
    subprocess.run(cmd, cwd=root / "site", env=env, check=True)
    same = files_under(root / "dist" / "public") == files_under(outdir)
    m = Manifest.read(root / "dist" / "manifest.json")
    out_bytes = sum(e["size"] for e in m.entries.values())
    chunks = sum(1 for k in m if k.startswith("_"))
    dyn = sum(1 for e in m.entries.values() if e.get("isDynamicEntry"))
    s, r = statistics.median(stage), statistics.median(raw)
    return {
        "app": name,
        "entries": len(entries),
        "inputs": _inputs(root, tool, entries),
        "outputs_js_bytes": out_bytes,
        "shared_chunks": chunks,
        "dynamic_chunks": dyn,
        "stage_ms": round(s * 1000, 1),
        "raw_cli_ms": round(r * 1000, 1),
        "ratio": round(s / r, 2),
        "stage_min_ms": round(min(stage) * 1000, 1),
        "raw_cli_min_ms": round(min(raw) * 1000, 1),
        "ratio_of_min": round(min(stage) / min(raw), 2),
        "overhead_ms": round(statistics.median(overhead) * 1000, 1),
        "bytes_equal": same,
    }


def _inputs(root: Path, tool: Esbuild, entries: list[str]) -> int:
    meta = root / ".assetpipe" / "bench-meta.json"
    cmd, env = cli_cmd(root, tool, entries, root / ".assetpipe" / "bench-out")
    subprocess.run([*cmd, f"--metafile={meta}"], cwd=root / "site", env=env, check=True)
    n = len(json.loads(meta.read_text())["inputs"])
    shutil.rmtree(root / ".assetpipe" / "bench-out", ignore_errors=True)
    return n


def service_figures(
    root: Path, entries: list[str], rebuilds: int, edit: tuple[str, str, str]
) -> dict[str, Any]:
    """Start-up cost of the service, and rebuild() latency after a one-file edit: in file
    ``edit[0]``, ``edit[1]`` is replaced by ``edit[2].format(k)`` for edit k."""
    tool = Esbuild.locate()
    starts = []
    for _ in range(5):
        t0 = time.perf_counter()
        svc = Service(tool)
        svc.request({"op": "hello"})
        starts.append(time.perf_counter() - t0)
        svc.close()
    cfg = load_config(root / "pipeline.yaml")
    out: dict[str, Any] = {"startup_ms": round(statistics.median(starts) * 1000, 1)}
    for profile in ("production", "development"):
        opts = scripts_stage.options(Settings(cfg, profile), entries)
        lat = _rebuilds(tool, root, opts, rebuilds, edit)
        out[profile] = {
            "rebuild_median_ms": round(statistics.median(lat) * 1000, 1),
            "rebuild_p95_ms": round(lat[int(len(lat) * 0.95) - 1] * 1000, 1),
            "rebuild_min_ms": round(lat[0] * 1000, 1),
            "rebuilds": len(lat),
        }
    return out


def _rebuilds(
    tool: Esbuild, root: Path, opts: dict[str, Any], rebuilds: int, edit: tuple[str, str, str]
) -> list[float]:
    rel, old, new = edit
    target = root / "site" / rel
    original = target.read_text()
    assert old in original
    lat = []
    with Service(tool) as svc:
        svc.context("bench", opts)
        svc.rebuild("bench", opts)
        try:
            for k in range(rebuilds):
                marker = new.format(k + 1)
                target.write_text(original.replace(old, marker))
                t0 = time.perf_counter()
                res = svc.rebuild("bench", opts)
                lat.append(time.perf_counter() - t0)
                assert any(marker.encode() in b for b in res.files.values()), marker
        finally:
            target.write_text(original)
    return sorted(lat)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--rebuilds", type=int, default=40)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    gen_root = WORK / "generated"
    gen_root.mkdir(parents=True, exist_ok=True)
    gen_entries = generated_app(gen_root)
    npm_root = WORK / "npm"
    npm_entries = npm_app(npm_root)
    rows = [
        compare("generated (300 modules)", gen_root, gen_entries, args.runs),
        compare("npm (chart.js, lit, dayjs)", npm_root, npm_entries, args.runs),
    ]
    svc = service_figures(
        gen_root, gen_entries, args.rebuilds, ("js/util/u7.js", "acc % 9973", "acc % 99{}")
    )
    svc_npm = service_figures(
        npm_root,
        npm_entries,
        args.rebuilds,
        ("js/shared/format.js", '"YYYY-MM-DD"', '"YYYY-MM-DD [{}]"'),
    )
    doc = {
        "esbuild": Esbuild.locate().version,
        "runs": args.runs,
        "apps": rows,
        "service": {"generated": svc, "npm": svc_npm},
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }
    if args.json:
        print(json.dumps(doc, indent=2))
        return
    print(f"esbuild {doc['esbuild']}, medians of {args.runs} interleaved runs\n")
    print(
        f"{'app':28} {'inputs':>6} {'stage ms':>9} {'raw CLI ms':>11} {'ratio':>6} "
        f"{'(min ratio)':>11} {'overhead ms':>12} {'bytes equal':>12}"
    )
    for r in rows:
        print(
            f"{r['app']:28} {r['inputs']:>6} {r['stage_ms']:>9} {r['raw_cli_ms']:>11} "
            f"{r['ratio']:>6} {r['ratio_of_min']:>11} {r['overhead_ms']:>12} "
            f"{r['bytes_equal']!s:>12}"
        )
    print("(overhead: the stage's time outside esbuild's own process, median)")
    print("\nesbuild service (Node + JS API): start-up, and rebuild() after a one-file edit")
    for name, s in (("generated", svc), ("npm", svc_npm)):
        print(f"  {name:10} start-up {s['startup_ms']} ms (median of 5)")
        for profile in ("production", "development"):
            p = s[profile]
            print(
                f"  {'':10} {profile:12} rebuild median {p['rebuild_median_ms']} ms, "
                f"p95 {p['rebuild_p95_ms']} ms, min {p['rebuild_min_ms']} ms "
                f"({p['rebuilds']} edits)"
            )
    print(f"\nload average during the run: {doc['loadavg']}")


if __name__ == "__main__":
    main()

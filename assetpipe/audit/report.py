"""The report folder (``--report DIR``) and its self-contained HTML page.

``DIR/audit.json`` holds the audit document with each page's details (requests, runs, pictures,
trends); ``DIR/pages/<page>/`` the screenshot and filmstrip frames; ``DIR/index.html`` one file
with everything inlined (pictures as data URIs, charts as inline SVG, no scripts, no network), so
it can be attached to a CI run as is. ``audit merge`` rebuilds all three from shard folders.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..fsutil import atomic_write, dump_json
from .flowreport import flows_html
from .network import KEYS
from .summary import fmt_bytes, fmt_metric, slug

TYPE_COLOURS = {
    "document": "#4e79a7",
    "script": "#f28e2b",
    "stylesheet": "#76b7b2",
    "image": "#59a14f",
    "font": "#b07aa1",
    "media": "#edc948",
    "other": "#9c9c9c",
}
CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d232b;background:#f5f6f8}
header{background:#1d232b;color:#fff;padding:14px 24px}header h1{margin:0;font-size:20px}
main{padding:16px 24px;max-width:1200px}
section.page{background:#fff;border-radius:8px;padding:16px 20px;margin:0 0 18px;
box-shadow:0 1px 3px #0002}
h2{margin:0 0 8px;font-size:18px}.ok{color:#1a7f37}.bad{color:#c62828}.warn{color:#9a6700}
table{border-collapse:collapse}td,th{padding:3px 10px 3px 0;text-align:left;vertical-align:top}
.grid{display:flex;gap:18px;flex-wrap:wrap;align-items:flex-start}
.metrics td:first-child{color:#57606a}
.shot img{max-width:240px;max-height:360px;object-fit:cover;object-position:top;
border:1px solid #ddd}
.film{display:flex;gap:6px;overflow-x:auto}
.film figure{margin:0;text-align:center;font-size:11px;color:#57606a}
.film img{height:120px;border:1px solid #ddd}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;color:#fff}
.badge.ok{background:#1a7f37}.badge.bad{background:#c62828}svg text{font:10px sans-serif}
h3{font-size:14px;margin:14px 0 6px}code{background:#eef;padding:0 3px;border-radius:3px}
"""


def _esc(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _data_uri(data: bytes) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")


def waterfall_svg(requests: list[dict[str, Any]], width: int = 760) -> str:
    """Requests as horizontal bars: waiting (light) until the response starts, then download."""
    reqs = [r for r in requests if r.get("end") is not None][:80]
    if not reqs:
        return "<p>No requests recorded.</p>"
    end = max(r["end"] for r in reqs) or 1.0
    label_w, row = 260, 14
    scale = (width - label_w - 10) / end
    out = [
        f'<svg width="{width}" height="{row * len(reqs) + 24}" role="img" '
        f'aria-label="request waterfall">'
    ]
    for i, r in enumerate(reqs):
        y = i * row + 2
        path = urlsplit(r["url"]).path
        name = path.rsplit("/", 1)[-1] or path
        colour = TYPE_COLOURS.get(r["type"], "#9c9c9c")
        x0 = label_w + r["start"] * scale
        x1 = label_w + (r.get("response") or r["start"]) * scale
        x2 = label_w + r["end"] * scale
        tip = (
            f"{r['url']} — {r['type']}, {r['status']}, {fmt_bytes(r['bytes'])}"
            f"{' (cache)' if r.get('from_cache') else ''}, "
            f"{r['start']:.0f}–{r['end']:.0f} ms"
        )
        out.append(
            f'<g><title>{_esc(tip)}</title><text x="0" y="{y + 10}">'
            f"{_esc(name[:40])}</text>"
            f'<rect x="{x0:.1f}" y="{y + 2}" width="{max(x1 - x0, 0.5):.1f}" height="9" '
            f'fill="{colour}" opacity=".35"/><rect x="{x1:.1f}" y="{y + 2}" '
            f'width="{max(x2 - x1, 1):.1f}" height="9" fill="{colour}"/></g>'
        )
    ticks = 5
    for t in range(ticks + 1):
        ms = end * t / ticks
        x = label_w + ms * scale
        anchor = "start" if t == 0 else ("end" if t == ticks else "middle")
        out.append(
            f'<text x="{x:.0f}" y="{row * len(reqs) + 18}" text-anchor="{anchor}">'
            f"{ms:.0f} ms</text>"
        )
    out.append("</svg>")
    legend = " ".join(f'<span style="color:{c}">■</span> {k}' for k, c in TYPE_COLOURS.items())
    return "".join(out) + f"<div>{legend}</div>"


def trend_svg(points: list[list[float]], label: str, width: int = 230, height: int = 70) -> str:
    """A small line chart of a metric over past audits (oldest left)."""
    if len(points) < 2:
        return (
            f"<div><b>{_esc(label)}</b><br><small>{len(points)} audit(s) in the history: "
            f"no trend yet</small></div>"
        )
    values = [p[1] for p in points]
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    step = (width - 10) / (len(values) - 1)
    coords = " ".join(
        f"{5 + i * step:.1f},{height - 15 - (v - lo) / span * (height - 30):.1f}"
        for i, v in enumerate(values)
    )
    key = label.split()[0]
    fmt = fmt_bytes if key.startswith("bytes") else (lambda v: fmt_metric(key, v))
    return (
        f'<div><b>{_esc(label)}</b><br><svg width="{width}" height="{height}" role="img" '
        f'aria-label="{_esc(label)} trend"><polyline fill="none" stroke="#4e79a7" '
        f'stroke-width="2" points="{coords}"/><text x="2" y="10">{_esc(fmt(hi))}</text>'
        f'<text x="2" y="{height - 2}">{_esc(fmt(lo))}</text></svg><br>'
        f"<small>last {len(values)} audits, now {_esc(fmt(values[-1]))}</small></div>"
    )


def _page_html(page: dict[str, Any], det: dict[str, Any], pictures: dict[str, bytes]) -> str:
    ok = page["passed"]
    out = [
        f'<section class="page" id="{_anchor(page["path"])}"><h2>'
        f'<span class="badge {"ok" if ok else "bad"}">'
        f"{'pass' if ok else 'fail'}</span> <code>{_esc(page['path'])}</code> "
        f"<small>{_esc(page.get('template') or '')}</small></h2>"
    ]
    if page["status"] != "measured":
        out.append(f'<p class="bad">errored: {_esc(page.get("error"))}</p></section>')
        return "".join(out)
    m, b, r = page["metrics"], page["bytes"], page["requests"]
    rows = "".join(
        f"<tr><td>{k.upper()}</td><td>{_esc(fmt_metric(k, m.get(k)))}</td></tr>"
        for k in ("ttfb", "server", "fcp", "si", "lcp", "cls", "tbt", "load")
    )
    sizes = "".join(
        f"<tr><td>{k}</td><td>{_esc(fmt_bytes(b[k]))}</td><td>{r[k]}</td></tr>"
        for k in KEYS
        if r.get(k)
    )
    rv = page.get("repeat_view") or {}
    rvb = rv.get("bytes") or {}
    out.append(
        f'<div class="grid"><table class="metrics">{rows}</table>'
        f'<table class="metrics"><tr><th>type</th><th>transferred</th><th>requests</th>'
        f"</tr>{sizes}<tr><td>repeat view</td><td>{_esc(fmt_bytes(rvb.get('total')))}"
        f"</td><td>hashed: {_esc(fmt_bytes(rvb.get('hashed')))}</td></tr></table>"
    )
    shot = det.get("screenshot")
    if shot and shot in pictures:
        out.append(
            f'<div class="shot"><img alt="screenshot of {_esc(page["path"])}" '
            f'src="{_data_uri(pictures[shot])}"></div>'
        )
    out.append("</div>")
    downloads = [
        f'<a href="{_esc(det[k])}" download>{label}</a>'
        for k, label in (
            ("trace", "trace (Chrome DevTools, Performance panel)"),
            ("har", "HAR (DevTools, Network panel)"),
        )
        if det.get(k) and det[k] in pictures
    ]
    if downloads:
        out.append(f"<p>First run: {' · '.join(downloads)}</p>")
    el = page.get("lcp_element")
    if el:
        where = (
            f" at <code>{_esc(el['template'])}:{el['line']}</code>" if el.get("template") else ""
        )
        out.append(
            f"<p>LCP element: <code>{_esc(el.get('selector'))}</code>"
            f"{' ' + _esc(el.get('url')) if el.get('url') else ''}{where}"
            f"{' <b class=bad>lazy-loaded</b>' if el.get('lazy') else ''}</p>"
        )
    moved = page.get("cls_elements") or []
    if moved:
        items = "".join(
            f"<li><code>{_esc(m.get('selector'))}</code> {m['score']:.4f}"
            + (f" at <code>{_esc(m['template'])}:{m['line']}</code>" if m.get("template") else "")
            + "</li>"
            for m in moved
        )
        out.append(f"<p>Elements that shifted (share of CLS):</p><ul>{items}</ul>")
    checks = "".join(
        f'<tr><td class="{"ok" if c["passed"] else ("bad" if c["level"] == "error" else "warn")}'
        f'">{"✔" if c["passed"] else "✘"}</td><td><code>{_esc(c["id"])}</code></td>'
        f"<td>{_esc(c['level'])}</td><td>{_esc(c.get('message', ''))}{_items(c)}</td></tr>"
        for c in page.get("checks") or []
    )
    out.append(f"<h3>Checks</h3><table>{checks}</table>")
    if page.get("baseline"):
        rows = "".join(
            f"<tr><td>{_esc(k)}</td><td>{_esc(_fmt(k, v['value']))}</td>"
            f'<td>{_esc(_fmt(k, v["base"]))}</td><td class="{"bad" if v["diff"] > 0 else "ok"}">'
            f"{v['pct']:+.1f} %</td><td>±{_esc(_fmt(k, 3 * v['noise']))}</td></tr>"
            for k, v in page["baseline"].items()
        )
        out.append(
            "<h3>Against the baseline</h3><table><tr><th>metric</th><th>this audit</th>"
            f"<th>baseline</th><th>diff</th><th>noise</th></tr>{rows}</table>"
        )
    film = [f for f in det.get("filmstrip") or [] if f["file"] in pictures]
    if film:
        frames = "".join(
            f'<figure><img alt="frame at {max(f["t"], 0):.0f} ms" '
            f'src="{_data_uri(pictures[f["file"]])}"><figcaption>'
            f"{max(f['t'], 0):.0f} ms</figcaption></figure>"
            for f in _thin(film, 12)
        )
        out.append(f'<h3>Filmstrip (first run)</h3><div class="film">{frames}</div>')
    tasks = det.get("long_tasks") or []
    if tasks:
        rows = "".join(
            f"<tr><td>{t['start']:.0f} ms</td><td>{t['dur']:.0f} ms</td><td>{t['cpu']:.0f} ms"
            f"</td><td>{_esc(', '.join(f'{k} {v:.0f}' for k, v in t['kinds'].items() if v >= 1))}"
            f"</td><td>{_esc(t.get('url') or '')}</td></tr>"
            for t in tasks[:20]
        )
        out.append(
            "<h3>Long main-thread tasks (median run; what TBT counts)</h3><table><tr>"
            "<th>start</th><th>wall</th><th>CPU</th><th>ms by kind</th><th>first script"
            f"</th></tr>{rows}</table>"
        )
    culprits = page.get("tbt_scripts") or []
    if culprits:
        items = "".join(
            f"<li>{_esc(c.get('url') or 'rendering work (no script)')}: {c['blocking']:.0f} ms "
            f"in {c['tasks']} task(s)</li>"
            for c in culprits
        )
        out.append(f"<p>Blocking time by the script that started the task:</p><ul>{items}</ul>")
    out.append("<h3>Request waterfall (median run)</h3>" + waterfall_svg(det.get("network") or []))
    trend = det.get("trend") or {}
    if trend:
        charts = "".join(
            trend_svg(trend[k], label)
            for k, label in (
                ("lcp", "lcp (ms)"),
                ("fcp", "fcp (ms)"),
                ("tbt", "tbt (ms)"),
                ("bytes.total", "bytes.total"),
            )
            if k in trend
        )
        out.append(f'<h3>Trends (history)</h3><div class="grid">{charts}</div>')
    out.append("</section>")
    return "".join(out)


def _fmt(key: str, value: float) -> str:
    return fmt_bytes(value) if key.startswith("bytes.") else fmt_metric(key, value)


def _items(check: dict[str, Any]) -> str:
    """A check's offending items (images), each with its template:line."""
    rows = []
    for item in check.get("items") or []:
        where = (
            f" <code>{_esc(item['template'])}:{item['line']}</code>" if item.get("template") else ""
        )
        rows.append(f"<li>{_esc(item.get('url'))}{where}: {_esc(item.get('detail', ''))}</li>")
    if not rows and check.get("template") and not check["passed"]:
        return f" <code>{_esc(check['template'])}:{check['line']}</code>"
    return f"<ul>{''.join(rows)}</ul>" if rows else ""


#: How the overview marks a figure that is not observed (``policy.modes``).
MODE_MARKS = {"cpu-time": "<sup>cpu</sup>", "simulated": "<sup>sim</sup>"}


def overview(doc: dict[str, Any]) -> str:
    """One table across pages: verdict, metrics (with the mode that produced them), bytes."""
    head = "".join(
        f"<th>{k}</th>"
        for k in (
            "page",
            "verdict",
            "TTFB",
            "FCP",
            "LCP",
            "CLS",
            "TBT",
            "load",
            "total",
            "failed checks",
        )
    )
    rows = []
    for p in doc["pages"]:
        ok = p["passed"]
        verdict = f'<span class="{"ok" if ok else "bad"}">{"pass" if ok else "fail"}</span>'
        if p["status"] != "measured":
            rows.append(
                f'<tr><td><a href="#{_anchor(p["path"])}"><code>{_esc(p["path"])}'
                f'</code></a></td><td class="bad">errored</td>'
                f'<td colspan="8">{_esc(p.get("error"))}</td></tr>'
            )
            continue
        m, modes = p["metrics"], p.get("modes") or {}
        cells = "".join(
            f"<td>{_esc(fmt_metric(k, m.get(k)))}{MODE_MARKS.get(modes.get(k, ''), '')}</td>"
            for k in ("ttfb", "fcp", "lcp", "cls", "tbt", "load")
        )
        failed = ", ".join(c["id"] for c in p.get("checks") or [] if not c["passed"])
        rows.append(
            f'<tr><td><a href="#{_anchor(p["path"])}"><code>{_esc(p["path"])}</code>'
            f"</a></td><td>{verdict}</td>{cells}<td>{_esc(fmt_bytes(p['bytes']['total']))}"
            f"</td><td>{_esc(failed) or '–'}</td></tr>"
        )
    host = doc.get("host") or (doc.get("hosts") or [{}])[0]
    load = ", ".join(f"{x:g}" for x in host.get("load") or []) or "n/a"
    info = (
        (
            f"<p>Host: load average {_esc(load)} on {host.get('cpus', '?')} CPU(s), benchmark "
            f"index {_esc(host.get('benchmark_index', 'n/a'))}. Metrics: "
            f"{_esc(doc.get('mode', 'observed'))} mode, {_esc(doc.get('aggregate', 'median'))} "
            f"of the runs.</p>"
        )
        if host
        else ""
    )
    return (
        f'<section class="page"><h2>Overview</h2>{info}<table class="overview">'
        f"<tr>{head}</tr>{''.join(rows)}</table></section>"
    )


def _anchor(path: str) -> str:
    return "page-" + slug(path)


def _thin(frames: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """At most ``n`` frames, evenly spread, always keeping the last."""
    if len(frames) <= n:
        return frames
    step = (len(frames) - 1) / (n - 1)
    return [frames[round(i * step)] for i in range(n)]


def render(
    doc: dict[str, Any], details: dict[str, dict[str, Any]], pictures: dict[str, bytes]
) -> str:
    """The whole report as one HTML document."""
    ok = doc["passed"]
    pages = "".join(_page_html(p, details.get(p["path"], {}), pictures) for p in doc["pages"])
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>assetpipe audit'
        f'</title><meta name="viewport" content="width=device-width"><style>{CSS}</style>'
        f"</head><body><header><h1>assetpipe audit — {_esc(doc['profile'])}, median of "
        f"{doc['runs']} run(s), shard {_esc(doc.get('shard', '1/1'))}: "
        f'<span class="{"ok" if ok else "bad"}">{"passed" if ok else "FAILED"}</span></h1>'
        f"</header><main>{overview(doc)}{flows_html(doc.get('flows') or [])}{pages}</main>"
        "</body></html>\n"
    )


def save(
    folder: Path,
    doc: dict[str, Any],
    details: dict[str, dict[str, Any]],
    pictures: dict[str, bytes],
) -> Path:
    """Write ``audit.json``, the pictures and ``index.html`` into ``folder``; returns the HTML
    path."""
    for name, data in sorted(pictures.items()):
        atomic_write(folder / name, data)
    atomic_write(folder / "audit.json", dump_json({**doc, "details": details}))
    page = folder / "index.html"
    atomic_write(page, render(doc, details, pictures).encode("utf-8"))
    return page


def load(folder: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]], dict[str, bytes]]:
    """Read a report folder back: (doc, details, pictures). Raises ``OSError``/``ValueError``."""
    data = json.loads((folder / "audit.json").read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "pages" not in data:
        raise ValueError(f"{folder / 'audit.json'}: not an assetpipe audit document")
    details = data.pop("details", {}) or {}
    pictures: dict[str, bytes] = {}
    for det in details.values():
        names = [det.get("screenshot"), det.get("trace"), det.get("har")]
        names += [f["file"] for f in det.get("filmstrip") or []]
        for name in names:
            if name and (folder / name).is_file():
                pictures[name] = (folder / name).read_bytes()
    return data, details, pictures

"""Benchmark: assetpipe.serve against WhiteNoise and flask-compress, in one run.

    python bench/serve.py                     # builds a temp copy of the bundled example
    python bench/serve.py --output dist       # or use an existing build output
    python bench/serve.py --json results.json

1. Over a real socket (the headline): the same two middlewares each under gunicorn (1 worker,
   gthread, keep-alive) on 127.0.0.1, one client connection sending the same requests back to
   back; the figure is requests per CPU second *of the server processes* (from ``/proc``), the
   median of the rounds with min-max, the two servers alternated round by round.
   ``--socket-only`` skips the rest.
2. In-process WSGI requests per second (a detail: the middleware alone, no HTTP) on the same
   file (the example's JS entry): a 200 with brotli, a 304 (If-None-Match) and a 206
   (``Range: bytes=0-1023``), assetpipe's
   ``AssetMiddleware`` vs ``whitenoise.WhiteNoise`` (both given ``wsgi.file_wrapper``; best of
   several rounds, the ratio is what counts on a shared machine).
3. Bytes on the wire for every JS and CSS file of the example: assetpipe's precompressed files
   (brotli q11 / gzip 9, chosen by negotiation) vs flask-compress with its defaults, for a
   browser's ``Accept-Encoding`` (Chrome's, with zstd; and without zstd).
4. HTTP correctness cases on the same files, for both servers (q=0, Range 0-0,
   If-None-Match lists).

Needs the bench extra: ``pip install -e '.[bench]'`` (whitenoise, flask-compress, gunicorn).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from wsgiref.util import FileWrapper, setup_testing_defaults

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from assetpipe.hashing import is_hashed  # noqa: E402
from assetpipe.serve import AssetMiddleware  # noqa: E402

CHROME_AE = "gzip, deflate, br, zstd"
OLDER_AE = "gzip, deflate, br"


def build_example(workdir: Path) -> Path:
    """Copy the bundled example and build it; returns the output folder."""
    from assetpipe import build

    shutil.copytree(REPO / "examples", workdir / "examples")
    shutil.copy(REPO / "pipeline.yaml", workdir / "pipeline.yaml")
    result = build(workdir / "pipeline.yaml")
    return result.output


def _not_found(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("404 Not Found", [("Content-Length", "0")])
    return [b""]


class Call:
    """Calls a WSGI app in process and records the status, headers and body."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.status = ""
        self.headers: dict[str, str] = {}

    def _sr(self, status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}

    def __call__(self, environ: dict[str, Any]) -> bytes:
        body: Iterable[bytes] = self.app(dict(environ), self._sr)
        try:
            return b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close:
                close()


def environ(path: str, **headers: str) -> dict[str, Any]:
    env: dict[str, Any] = {
        "PATH_INFO": path,
        "REQUEST_METHOD": "GET",
        "wsgi.file_wrapper": FileWrapper,
    }
    setup_testing_defaults(env)
    env.update({"HTTP_" + k.upper(): v for k, v in headers.items()})
    return env


def _sr(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
    pass


def rps(app: Any, env: dict[str, Any], n: int) -> float:
    """Requests per CPU second of ``app`` on ``env`` over ``n`` requests (body read and
    closed). CPU time of this process, not wall time: other processes' load on a shared
    machine then shifts the figure much less."""
    t0 = time.process_time()
    for _ in range(n):
        body = app(env.copy(), _sr)
        for _chunk in body:
            pass
        close = getattr(body, "close", None)
        if close:
            close()
    return n / max(time.process_time() - t0, 1e-9)


def best_of(
    apps: dict[str, Any], envs: dict[str, dict[str, Any]], n: int, rounds: int
) -> dict[str, float]:
    """Alternate the apps round by round (so drift in machine load hits both alike) and keep
    each one's best round."""
    best = dict.fromkeys(apps, 0.0)
    for name, app in apps.items():
        rps(app, envs[name], max(n // 10, 1))  # warm up
    for _ in range(rounds):
        for name, app in apps.items():
            best[name] = max(best[name], rps(app, envs[name], n))
    return best


def throughput(output: Path, n: int, rounds: int) -> dict[str, Any]:
    from whitenoise import WhiteNoise

    manifest = json.loads((output / "manifest.json").read_text())
    public = output.resolve() / "public"
    target = manifest["js/dashboard.js"]["file"]
    path = "/static/" + target
    ours = AssetMiddleware(_not_found, output, "/static/")
    theirs = WhiteNoise(
        _not_found,
        root=str(public),
        prefix="static/",
        max_age=31536000,
        immutable_file_test=lambda p, url: is_hashed(url),
    )
    results: dict[str, Any] = {"file": target, "size": (public / target).stat().st_size}
    # the same middleware with every body streamed from disk, as WhiteNoise does
    ours_disk = AssetMiddleware(_not_found, output, "/static/", memory_file_limit=0)
    apps = {"assetpipe": ours, "assetpipe-disk": ours_disk, "whitenoise": theirs}
    envs: dict[str, dict[str, dict[str, Any]]] = {}
    expect = {"200 br": "200", "304": "304", "206": "206"}
    for name, app in apps.items():
        call = Call(app)
        call(environ(path, accept_encoding=CHROME_AE))
        etag, modified = call.headers["etag"], call.headers["last-modified"]
        assert call.status.startswith("200") and call.headers.get("content-encoding") == "br", (
            name,
            call.status,
            call.headers,
        )
        cases = {  # what a browser sends: a revalidation carries both validators
            "200 br": environ(path, accept_encoding=CHROME_AE),
            "304": environ(
                path, accept_encoding=CHROME_AE, if_none_match=etag, if_modified_since=modified
            ),
            "206": environ(path, accept_encoding=CHROME_AE, range="bytes=0-1023"),
        }
        for case, env in cases.items():
            call(env)
            assert call.status.startswith(expect[case]), (name, case, call.status)
            envs.setdefault(case, {})[name] = env
    for case in expect:
        best = best_of(apps, envs[case], n, rounds)
        results[case] = {name: round(v) for name, v in best.items()}
    for case in ("200 br", "304", "206"):
        r = results[case]
        r["ratio"] = round(r["assetpipe"] / r["whitenoise"], 2)
        r["ratio_disk"] = round(r["assetpipe-disk"] / r["whitenoise"], 2)
    return results


def sizes(output: Path) -> dict[str, Any]:
    from flask import Flask, Response
    from flask_compress import Compress

    manifest = json.loads((output / "manifest.json").read_text())
    public = output.resolve() / "public"
    files = sorted(
        {e["file"] for e in manifest.values()}
        | {c for e in manifest.values() for c in e.get("css", ())}
    )
    files = [f for f in files if f.endswith((".js", ".css"))]
    app = Flask(__name__, static_folder=None)
    Compress(app)  # flask-compress defaults

    @app.route("/f/<path:name>")
    def serve_file(name: str) -> Response:
        mimetype = "text/css" if name.endswith(".css") else "application/javascript"
        return Response((public / name).read_bytes(), mimetype=mimetype)

    client = app.test_client()
    ours = Call(AssetMiddleware(_not_found, output, "/static/"))
    rows = []
    totals: dict[str, int] = {}
    for f in files:
        row: dict[str, Any] = {"file": f, "identity": (public / f).stat().st_size}
        for label, ae in (("chrome", CHROME_AE), ("no-zstd", OLDER_AE)):
            resp = client.get(f"/f/{f}", headers={"Accept-Encoding": ae})
            row[f"flask-compress {label}"] = (
                len(resp.data),
                resp.headers.get("Content-Encoding", "identity"),
            )
            body = ours(environ("/static/" + f, accept_encoding=ae))
            row[f"assetpipe {label}"] = (
                len(body),
                ours.headers.get("content-encoding", "identity"),
            )
        rows.append(row)
        for k, v in row.items():
            if k != "file":
                totals[k] = totals.get(k, 0) + (v[0] if isinstance(v, tuple) else v)
    return {"files": rows, "totals": totals}


def correctness(output: Path) -> list[dict[str, str]]:
    from flask import Flask, Response
    from flask_compress import Compress
    from whitenoise import WhiteNoise

    manifest = json.loads((output / "manifest.json").read_text())
    public = output.resolve() / "public"
    target = manifest["js/dashboard.js"]["file"]
    path = "/static/" + target
    data = (public / target).read_bytes()
    app = Flask(__name__, static_folder=None)
    Compress(app)

    @app.route("/static/<path:name>")
    def serve_file(name: str) -> Any:
        resp = Response(data, mimetype="application/javascript")
        return resp.make_conditional(__import__("flask").request)  # Range support as Flask does

    ours = Call(AssetMiddleware(_not_found, output, "/static/"))
    white = Call(WhiteNoise(_not_found, root=str(public), prefix="static/"))
    fc_client = app.test_client()

    def fc(headers: dict[str, str]) -> str:
        r = fc_client.get(path, headers=headers)
        return f"{r.status_code} {r.headers.get('Content-Encoding', 'identity')}"

    def wsgi(call: Call, headers: dict[str, str]) -> str:
        call(environ(path, **{k.replace("-", "_"): v for k, v in headers.items()}))
        return f"{call.status[:3]} {call.headers.get('content-encoding', 'identity')}"

    ours_etag = Call(AssetMiddleware(_not_found, output, "/static/"))
    ours_etag(environ(path))
    white(environ(path))
    white_tag = white.headers["etag"]
    cases = [
        ("Accept-Encoding: gzip;q=0", {"accept-encoding": "gzip;q=0"}, "200 identity"),
        (
            "Accept-Encoding: br;q=0, gzip;q=0",
            {"accept-encoding": "br;q=0, gzip;q=0"},
            "200 identity",
        ),
        (
            "Range: bytes=0-0 (+ br, gzip)",
            {"range": "bytes=0-0", "accept-encoding": "br, gzip"},
            "206 identity",
        ),
    ]
    rows = []
    for label, headers, want in cases:
        rows.append(
            {
                "case": label,
                "want": want,
                "assetpipe": wsgi(ours, headers),
                "whitenoise": wsgi(white, headers),
                "flask-compress": fc(headers),
            }
        )
    inm_ours = f'"x", {ours_etag.headers["etag"]}'
    inm_white = f'"x", {white_tag}'
    rows.append(
        {
            "case": 'If-None-Match: "x", <its own etag>',
            "want": "304 identity",
            "assetpipe": wsgi(ours, {"if-none-match": inm_ours}),
            "whitenoise": wsgi(white, {"if-none-match": inm_white}),
            "flask-compress": "n/a",
        }
    )
    return rows


def _send(conn: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> int:
    conn.request("GET", path, headers=headers)
    resp = conn.getresponse()
    resp.read()
    return resp.status


def over_socket(output: Path, n: int, rounds: int) -> dict[str, Any]:
    """Requests per server CPU second under gunicorn, assetpipe vs WhiteNoise (see doc, 1.)."""
    from bench._servers import cpu_seconds, gunicorn, tree

    manifest = json.loads((output / "manifest.json").read_text())
    path = "/static/" + manifest["js/dashboard.js"]["file"]
    env = {"ASSETPIPE_BENCH_OUTPUT": str(output)}
    apps = {
        "assetpipe": "bench._static_apps:assetpipe_app()",
        "whitenoise": "bench._static_apps:whitenoise_app()",
    }
    results: dict[str, Any] = {"file": path, "requests_per_round": n, "rounds": rounds}
    with contextlib.ExitStack() as stack:
        servers = {
            name: stack.enter_context(gunicorn(spec, workers=1, threads=4, env=env))
            for name, spec in apps.items()
        }
        conns = {
            name: http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            for name, (port, _) in servers.items()
        }
        cases: dict[str, dict[str, dict[str, str]]] = {}
        for name, conn in conns.items():
            conn.request("GET", path, headers={"Accept-Encoding": CHROME_AE})
            resp = conn.getresponse()
            resp.read()
            assert resp.status == 200 and resp.getheader("Content-Encoding") == "br", name
            cases.setdefault("200 br", {})[name] = {"Accept-Encoding": CHROME_AE}
            cases.setdefault("304", {})[name] = {
                "Accept-Encoding": CHROME_AE,
                "If-None-Match": resp.getheader("ETag") or "",
                "If-Modified-Since": resp.getheader("Last-Modified") or "",
            }
            cases.setdefault("206", {})[name] = {
                "Accept-Encoding": CHROME_AE,
                "Range": "bytes=0-1023",
            }
        expect = {"200 br": 200, "304": 304, "206": 206}
        for case, per_app in cases.items():
            samples: dict[str, list[float]] = {name: [] for name in apps}
            for name in apps:  # warm-up
                for _ in range(max(n // 10, 1)):
                    _send(conns[name], path, per_app[name])
            for _ in range(rounds):
                for name in apps:
                    pids = tree(servers[name][1].pid)
                    c0 = cpu_seconds(pids)
                    for _ in range(n):
                        assert _send(conns[name], path, per_app[name]) == expect[case], case
                    samples[name].append(n / max(cpu_seconds(pids) - c0, 1e-3))
            row: dict[str, Any] = {
                name: {
                    "median": round(statistics.median(v)),
                    "min": round(min(v)),
                    "max": round(max(v)),
                }
                for name, v in samples.items()
            }
            row["ratio"] = round(row["assetpipe"]["median"] / row["whitenoise"]["median"], 2)
            results[case] = row
        for conn in conns.values():
            conn.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--output",
        type=Path,
        help="an existing build output (default: build a temp copy of the bundled example)",
    )
    parser.add_argument("-n", type=int, default=20000, help="requests per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--socket-n", type=int, default=2000, help="requests per round over the socket"
    )
    parser.add_argument("--socket-only", action="store_true")
    args = parser.parse_args()
    load0 = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="assetpipe-bench-") as tmp:
        output = args.output or build_example(Path(tmp))
        doc: dict[str, Any] = {
            "python": sys.version.split()[0],
            "socket": over_socket(output, args.socket_n, args.rounds),
        }
        if not args.socket_only:
            doc.update(
                throughput=throughput(output, args.n, args.rounds),
                sizes=sizes(output),
                correctness=correctness(output),
            )
    doc["loadavg"] = {"before": load0, "after": os.getloadavg()}
    so = doc["socket"]
    print(
        f"## Over the socket: requests per server CPU second under gunicorn ({so['file']}; "
        f"median [min-max] of {args.rounds} x {args.socket_n})\n"
    )
    print("| case | assetpipe | WhiteNoise | ratio |\n|---|---:|---:|---:|")
    for case in ("200 br", "304", "206"):
        r = so[case]
        cells = [
            f"{r[k]['median']:,} [{r[k]['min']:,}-{r[k]['max']:,}]"
            for k in ("assetpipe", "whitenoise")
        ]
        print(f"| {case} | {cells[0]} | {cells[1]} | {r['ratio']:.2f}x |")
    print(f"\nload average before {load0[0]:.2f}, after {doc['loadavg']['after'][0]:.2f}\n")
    if args.socket_only:
        if args.json:
            args.json.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
        return
    t = doc["throughput"]
    print(
        f"## In process (the middleware alone, no HTTP): requests per CPU second "
        f"({t['file']}, {t['size']} B; best of {args.rounds} x {args.n})\n"
    )
    print(
        "| case | assetpipe | WhiteNoise | ratio | assetpipe, bodies from disk | ratio |\n"
        "|---|---:|---:|---:|---:|---:|"
    )
    for case in ("200 br", "304", "206"):
        r = t[case]
        print(
            f"| {case} | {r['assetpipe']:,} | {r['whitenoise']:,} | {r['ratio']:.2f}x | "
            f"{r['assetpipe-disk']:,} | {r['ratio_disk']:.2f}x |"
        )
    s = doc["sizes"]
    print("\n## Bytes sent for the example's JS and CSS (Accept-Encoding: Chrome's / no zstd)\n")
    print(
        "| file | identity | flask-compress (Chrome) | assetpipe (Chrome) "
        "| flask-compress (no zstd) | assetpipe (no zstd) |\n|---|---:|---:|---:|---:|---:|"
    )
    for row in s["files"]:
        cells = [
            f"{row[k][0]:,} {row[k][1]}"
            for k in (
                "flask-compress chrome",
                "assetpipe chrome",
                "flask-compress no-zstd",
                "assetpipe no-zstd",
            )
        ]
        print(f"| {row['file']} | {row['identity']:,} | " + " | ".join(cells) + " |")
    tot = s["totals"]
    print(
        f"| **total** | {tot['identity']:,} | {tot['flask-compress chrome']:,} | "
        f"{tot['assetpipe chrome']:,} | {tot['flask-compress no-zstd']:,} | "
        f"{tot['assetpipe no-zstd']:,} |"
    )
    saved = 1 - tot["assetpipe chrome"] / tot["flask-compress chrome"]
    print(f"\nassetpipe sends {saved:.1%} fewer bytes than flask-compress's defaults (Chrome).")
    print("\n## Correctness on the same file\n")
    print("| request | expected | assetpipe | WhiteNoise | flask-compress |\n|---|---|---|---|---|")
    for row in doc["correctness"]:
        print(
            f"| {row['case']} | {row['want']} | {row['assetpipe']} | {row['whitenoise']} "
            f"| {row['flask-compress']} |"
        )
    if args.json:
        args.json.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()

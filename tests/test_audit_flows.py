"""User flows in the audit (``login:``, ``flows:``), with real Chromium on crafted pages.

The site, served over HTTP on 127.0.0.1: ``/login`` is a form whose POST (right password only)
sets a session cookie and redirects to ``/app``; ``/app`` redirects to ``/login`` without the
cookie and ``/account`` answers 403 without it. ``/app`` has a button whose click handler
blocks the main thread for 200 ms (so that interaction's latency is known), one that inserts a
banner 800 ms after the click (a shift without recent input: CLS) and one that inserts it at
once (a shift right after input: not CLS).
"""

from __future__ import annotations

import json
import statistics
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from assetpipe.audit.github import annotation_lines
from assetpipe.audit.summary import failures
from tests.conftest import require_chromium, require_lighthouse, run_cli, write_tree

pytestmark = [pytest.mark.chromium, pytest.mark.timeout(300)]

PASSWORD = "s3cret pass"
HEAD = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{t}</title></head><body>'
LOGIN = HEAD.format(t="Log in") + (
    '<form method="post" action="/login"><input id="user" name="user">'
    '<input id="pw" name="pw" type="password"><button type="submit">Log in</button></form>'
)
APP = HEAD.format(t="App") + (
    "<h1>Dashboard</h1><div id=top></div>"
    "<button id=slow>Slow</button><button id=late>Late banner</button>"
    "<button id=now>Banner now</button><p>" + "Lorem ipsum dolor sit amet. " * 400 + "</p>"
    "<script>"
    "const banner = (id) => { const b = document.createElement('div'); b.id = id;"
    " b.style.height = '300px'; b.textContent = 'Banner';"
    " document.getElementById('top').append(b); };"
    "document.getElementById('slow').addEventListener('click', () => {"
    " const end = performance.now() + 200; while (performance.now() < end) {}"
    " document.getElementById('slow').textContent = 'Done'; });"
    "document.getElementById('late').addEventListener('click', () =>"
    " setTimeout(() => banner('late-banner'), 800));"
    "document.getElementById('now').addEventListener('click', () => banner('now-banner'));"
    "</script>"
)


class _Handler(BaseHTTPRequestHandler):
    logins = 0  #: POSTs to /login so far (the login's count per audit)

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: str = "", headers: dict[str, str] | None = None) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        authed = "session=ok" in (self.headers.get("Cookie") or "")
        if self.path == "/login":
            self._send(200, LOGIN)
        elif self.path == "/app":
            self._send(200, APP) if authed else self._send(302, "", {"Location": "/login"})
        elif self.path == "/account":
            if authed:
                self._send(200, HEAD.format(t="Account") + "<h1>Account</h1>")
            else:
                self._send(403, "forbidden")
        else:
            self._send(404, "not found")

    def do_POST(self) -> None:
        type(self).logins += 1
        length = int(self.headers.get("Content-Length") or 0)
        form = self.rfile.read(length).decode()
        if parse_qs(form).get("pw") == [PASSWORD]:
            cookie = "session=ok; Path=/; HttpOnly"
            self._send(302, "", {"Location": "/app", "Set-Cookie": cookie})
        else:
            self._send(401, LOGIN)


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    require_chromium()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


LOGIN_YAML = """\
login:
  - goto: /login
  - fill: {selector: "#user", value: me}
  - fill: {selector: "#pw", value: "${FLOW_TEST_PW}"}
  - click: "button[type=submit]"
  - wait_for: "h1"
"""


def audit(
    tmp_path: Path,
    base: str,
    yaml_text: str,
    *pages: str,
    extra: tuple[str, ...] = (),
    profile: str = "desktop",
) -> tuple[int, dict[str, Any]]:
    """``assetpipe audit --base-url`` with ``yaml_text`` as pipeline.yaml; (exit code, JSON)."""
    write_tree(tmp_path, {"pipeline.yaml": yaml_text})
    args = ["audit", "--base-url", base, "--profile", profile, "--runs", "1", *extra]
    for page in pages:
        args += ["--page", page]
    res = run_cli(
        *args, "--json", "--no-hints", cwd=tmp_path, env={"FLOW_TEST_PW": PASSWORD}, timeout=240
    )
    assert res.code in (0, 1), res.err
    return res.code, json.loads(res.out)


@pytest.mark.parametrize("profile", ["desktop", "mobile"])
def test_login_then_a_flow_with_a_200_ms_handler(base: str, tmp_path: Path, profile: str) -> None:
    """The login runs once, its cookie reaches the audited page (403 without it) and the flows;
    the 200 ms handler's interaction latency is ≥ 200 ms (generous upper bound; the mobile
    profile's 4x CPU slowdown adds its rendering); a late banner counts in CLS, one inserted
    right at the click does not (recent input); ``inp: 1000`` passes, exit 0."""
    flows = """\
flows:
  - name: slow button
    steps:
      - goto: /app
      - click: "#slow"
      - wait_for: "text=Done"
    budgets: {inp: 1000}
  - name: late banner
    steps:
      - goto: /app
      - click: "#late"
      - wait_for: "#late-banner"
  - name: banner at once
    steps:
      - goto: /app
      - click: "#now"
      - wait_for: "#now-banner"
"""
    code, doc = audit(tmp_path, base, LOGIN_YAML + flows, "/account", profile=profile)
    assert code == 0, doc
    page = doc["pages"][0]
    assert page["status"] == "measured" and page["passed"], page
    login, slow, late, now = doc["flows"]
    assert login["name"] == "login" and login["verdict"] == "passed", login
    assert [s["kind"] for s in login["steps"]] == ["goto", "fill", "fill", "click", "wait_for"]
    assert slow["verdict"] == "passed", slow
    click = slow["steps"][1]
    assert click["kind"] == "click" and click["selector"] == "#slow"
    assert 200 <= click["latency_ms"] < (600 if profile == "desktop" else 800), click
    assert slow["inp"] == click["latency_ms"]
    assert slow["checks"] == [
        {"id": "flow.inp", "level": "error", "limit": 1000, "value": slow["inp"], "passed": True}
    ]
    assert late["cls"] > 0.05, late
    assert now["cls"] == 0, now
    # A quick handler: below Event Timing's 16 ms threshold (no entry) or well under 200 ms.
    assert (late["steps"][1]["latency_ms"] or 0) < 200, late


def test_inp_budget_fails_and_a_broken_selector_is_an_error(base: str, tmp_path: Path) -> None:
    """``inp: 100`` against the 200 ms handler fails the audit (exit 1); a selector matching
    nothing ends its flow as ``errored`` naming the config line, the step and the selector."""
    flows = """\
flows:
  - name: slow button
    steps:
      - goto: /app
      - click: "#slow"
    budgets: {inp: 100}
  - name: broken
    steps:
      - goto: /app
      - click: "#no-such-button"
"""
    extra = ("--report", "report", "--junit", "junit.xml")
    code, doc = audit(tmp_path, base, LOGIN_YAML + flows, "/app", extra=extra)
    assert code == 1
    assert doc["pages"][0]["passed"] and not doc["passed"]
    _, slow, broken = doc["flows"]
    assert slow["verdict"] == "failed" and slow["inp"] >= 200, slow
    (check,) = slow["checks"]
    assert check["id"] == "flow.inp" and not check["passed"] and check["limit"] == 100
    assert check["message"] == f"inp {check['value']:g} ms > budget 100 ms", check
    assert broken["verdict"] == "errored", broken
    err = broken["error"]
    assert err.startswith("pipeline.yaml:16:9: flows[1].steps[1] click '#no-such-button'"), err
    assert "no element matched within 10 s" in err
    # The HTML report's flows table, the JUnit suites (a failure, an error), the merged JSON.
    html = (tmp_path / "report/index.html").read_text(encoding="utf-8")
    assert "<h2>User flows</h2>" in html and "no-such-button" in html
    junit = ET.parse(tmp_path / "junit.xml").getroot()
    suites = {s.get("name"): s for s in junit.iter("testsuite")}
    assert suites["flow slow button"].get("failures") == "1"
    assert suites["flow broken"].get("errors") == "1"
    said = {(level, where) for level, where, _ in failures(doc)}  # the terminal's lines
    assert said == {("error", "flow 'slow button'"), ("error", "flow 'broken'")}
    notes = [x for x in annotation_lines(doc) if "title=audit flow" in x]
    assert len(notes) == 2 and all(x.startswith("::error ") for x in notes), notes
    assert "no-such-button" in notes[1], notes
    merged = run_cli("audit", "merge", "report", "--json", cwd=tmp_path)
    assert merged.code == 1, merged.err
    assert [f["name"] for f in json.loads(merged.out)["flows"]] == [
        "login",
        "slow button",
        "broken",
    ]


def test_flows_run_runs_times_and_report_the_aggregate(base: str, tmp_path: Path) -> None:
    """``--runs 3``: the flow runs three times (each run's INP ≥ 200 ms, the 200 ms handler),
    its ``inp`` is the median of the three (the pages' policy), the step keeps each run's
    latency; the login ran once for the whole audit (one POST), and the JSON, the HTML report,
    JUnit and the terminal name the aggregate."""
    flows = """\
flows:
  - name: slow button
    steps:
      - goto: /app
      - click: "#slow"
      - wait_for: "text=Done"
    budgets: {inp: 100}
"""
    before = _Handler.logins
    extra = ("--runs", "3", "--report", "report", "--junit", "junit.xml")
    code, doc = audit(tmp_path, base, LOGIN_YAML + flows, "/account", extra=extra)
    assert code == 1, doc
    assert _Handler.logins - before == 1
    login, slow = doc["flows"]
    assert login["runs"] == 1 and login["verdict"] == "passed", login
    assert doc["pages"][0]["runs"] == 3 and doc["pages"][0]["passed"]
    assert slow["runs"] == 3 and slow["aggregate"] == "median", slow
    each = slow["per_run"]["inp"]
    assert len(each) == 3 and all(v is not None and v >= 200 for v in each), each
    assert slow["inp"] == statistics.median(each)
    click = slow["steps"][1]
    assert click["latencies"] == each and click["latency_ms"] == slow["inp"], click
    assert len(slow["per_run"]["cls"]) == 3
    (check,) = slow["checks"]
    assert check["value"] == slow["inp"] and not check["passed"]
    assert check["message"] == f"inp {slow['inp']:g} ms (median of 3 runs) > budget 100 ms"
    html = (tmp_path / "report/index.html").read_text(encoding="utf-8")
    assert "<td>median of 3</td>" in html, html
    junit = ET.parse(tmp_path / "junit.xml").getroot()
    (failure,) = junit.iter("failure")
    assert "(median of 3 runs)" in (failure.get("message") or "")


def test_flow_aggregate_follows_the_policy() -> None:
    """``result`` aggregates each metric over the runs that measured it with the policy's
    ``--aggregate`` (optimistic: the best run, pessimistic: the worst), per step too; a run
    with no measured interaction does not count; an errored last run makes the flow errored."""
    from assetpipe.audit.flows import FlowRun, result

    def run(latency: float | None, shift: float) -> FlowRun:
        steps: list[dict[str, Any]] = [
            {"kind": "goto", "selector": "/app", "latency_ms": None},
            {"kind": "click", "selector": "#b", "latency_ms": latency},
        ]
        return FlowRun(steps=steps, shifts={1.0: [{"start": 10, "value": shift, "input": False}]})

    runs = [run(240, 0.1), run(None, 0.3), run(200, 0.2), run(320, 0.0)]
    budgets = (("inp", 250.0), ("cls", 0.25))
    med = result("f", runs, budgets, "error")
    assert med["inp"] == 240 and med["cls"] == pytest.approx(0.15) and med["verdict"] == "passed", (
        med
    )
    assert med["steps"][1]["latencies"] == [240, None, 200, 320]
    best = result("f", runs, budgets, "error", "optimistic")
    assert (best["inp"], best["cls"], best["verdict"]) == (200, 0.0, "passed")
    worst = result("f", runs, budgets, "warn", "pessimistic")
    assert (worst["inp"], worst["cls"], worst["verdict"]) == (320, 0.3, "passed")  # warn level
    assert [c["passed"] for c in worst["checks"]] == [False, False]
    assert worst["checks"][0]["message"] == "inp 320 ms (pessimistic of 4 runs) > budget 250 ms"
    broken = FlowRun(steps=[], error="flows[0].steps[1] click '#b': gone")
    errored = result("f", [runs[0], broken], budgets, "error")
    assert errored["verdict"] == "errored" and errored["error"].endswith("gone")
    assert [c["id"] for c in errored["checks"]] == ["flow.steps"]
    nothing = result("f", [run(None, 0.0)], budgets, "error")
    assert nothing["inp"] is None and not nothing["passed"]
    assert nothing["checks"][0]["message"] == "inp no interaction was measured > budget 250 ms"


def test_without_login_the_private_page_is_refused(base: str, tmp_path: Path) -> None:
    """The control: with no ``login:`` the audited page answers 403 (so the first test's
    measured page proves the login's cookie reached it)."""
    code, doc = audit(tmp_path, base, "flows: []\n", "/account")
    assert code == 1 and doc["pages"][0]["status"] == "errored" and doc["flows"] == []


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ('[{goto: /}, {hover: "#a"}]', "flows[0].steps[1].hover: unknown key"),
        ('[{goto: /}, {click: ""}]', "flows[0].steps[1].click: expected a non-empty string"),
        ('[{goto: /}, {fill: {selector: "#a"}}]', "flows[0].steps[1].fill.value: required key"),
        ("[{goto: /}, {press: {key: Enter}}]", "flows[0].steps[1].press.selector: required key"),
        (
            '[{goto: /}, {fill: {selector: "#a", value: "${NO_SUCH_FLOW_VAR}"}}]',
            "flows[0].steps[1].fill.value: environment variable NO_SUCH_FLOW_VAR is not set",
        ),
        ('[{click: "#a"}]', "flows[0].steps[0]: a flow's first step must be `goto: PATH`"),
        ("[{goto: /, click: x}]", "flows[0].steps[0]: a step is one key"),
        ("[{goto: app}]", "flows[0].steps[0].goto: expected a URL path starting with '/'"),
        ("[]", "flows[0].steps: expected at least one step"),
    ],
)
def test_bad_steps_are_config_errors(tmp_path: Path, steps: str, message: str) -> None:
    """Each bad step is a config error at its file:line:col and key (exit 2)."""
    write_tree(tmp_path, {"site/x": "x", "pipeline.yaml": "source: site\n"})
    (tmp_path / "pipeline.yaml").write_text(
        f"source: site\nflows:\n  - name: f\n    steps: {steps}\n", encoding="utf-8"
    )
    from assetpipe.audit import AuditOptions, run_audit
    from assetpipe.config import load_config
    from assetpipe.errors import ConfigError

    with pytest.raises(ConfigError) as err:
        run_audit(load_config(tmp_path / "pipeline.yaml"), AuditOptions())
    text = str(err.value)
    assert "pipeline.yaml:4:" in text and message in text, text


def test_an_unset_variable_of_a_step_fails_the_audit_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``fill: {value: "${AUDIT_PASSWORD}"}`` as audit.md shows it: ``assetpipe build`` (in a
    Dockerfile) and ``AssetPipe(app)`` (the production app, at import) read the same config
    without the audit's secret; they failed on it (archivy's gunicorn worker failed to boot)."""
    from assetpipe.audit import AuditOptions, run_audit
    from assetpipe.config import load_config
    from assetpipe.errors import ConfigError

    monkeypatch.delenv("NO_SUCH_LOGIN_VAR", raising=False)
    write_tree(tmp_path, {"site/x": "x"})
    (tmp_path / "pipeline.yaml").write_text(
        "source: site\nlogin:\n  - goto: /login\n"
        '  - fill: {selector: "#pw", value: "${NO_SUCH_LOGIN_VAR}"}\n',
        encoding="utf-8",
    )
    assert load_config(tmp_path / "pipeline.yaml").login[1].unset == ("NO_SUCH_LOGIN_VAR",)
    with pytest.raises(ConfigError) as err:
        run_audit(load_config(tmp_path / "pipeline.yaml"), AuditOptions())
    assert "pipeline.yaml:4:" in str(err.value)
    assert "login[1].fill.value: environment variable NO_SUCH_LOGIN_VAR is not set" in str(
        err.value
    )


@pytest.mark.lighthouse
def test_lighthouse_gets_the_login_cookie(base: str, tmp_path: Path) -> None:
    """``--lighthouse`` runs its own browser: it is sent the login's cookie, so it scores the
    private page (403 without the cookie) instead of failing on it."""

    require_lighthouse()
    code, doc = audit(tmp_path, base, LOGIN_YAML, "/account", extra=("--lighthouse",))
    assert code == 0, doc
    assert 0 <= doc["pages"][0]["lighthouse"]["performance"] <= 1

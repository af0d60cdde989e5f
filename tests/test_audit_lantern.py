"""Simulated throttling (``--metrics simulate``, ``assetpipe.audit.lantern``): the TCP model by
hand, bad loads with a clear error, our simulation against Lighthouse 12's own Lantern on the
very same load (its saved artifacts, ``lighthouse -A``), and the CLI mode end to end."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assetpipe.audit import lighthouse, throttle
from assetpipe.audit.lantern import capture
from assetpipe.audit.lantern.network import Connection
from assetpipe.audit.lantern.simulator import MOBILE
from tests.conftest import require_chromium, require_lighthouse, run_cli, write_tree
from tests.lantern_page import serve

#: Same input, same model: only float rounding may differ (Lighthouse rounds nothing here).
SAME_LOAD_TOLERANCE = 0.02


def test_tcp_connection_by_hand() -> None:
    """Mobile (150 ms RTT, 1.6 Mbit/s), TLS, 30 ms server: a cold connection costs DNS + 3 one-way
    trips + a TLS round trip before the request, the server time and a one-way trip to the
    first byte, with 10 segments (14,600 B) in it; a bigger body needs one more round trip per
    doubled window (capped at the bandwidth-delay product, 21 segments)."""
    conn = Connection(150, 1.6 * 1024 * 1024, 30, ssl=True)
    assert conn.download(14_600).elapsed == 75 * 3 + 150 + 30 + 75
    assert conn.download(30_000).elapsed == 480 + 150
    assert conn.download(30_000, dns=300).elapsed == 480 + 150 + 300
    conn.warm = True
    assert conn.download(14_600).elapsed == 75 + 30 + 75


def test_simulate_mode_takes_the_simulated_figures() -> None:
    """``simulate`` reports FCP, LCP, TBT and SI from ``<metric>_sim`` and marks them; a run
    without them (the simulation failed) keeps its observed figures; the report marks them."""
    from assetpipe.audit import policy, report

    run = {"fcp": 900.0, "lcp": 1500.0, "tbt": 80.0, "si": 1000.0, "cls": 0.1}
    sim = {**run, "fcp_sim": 1800.0, "lcp_sim": 3000.0, "tbt_sim": 200.0, "si_sim": 2000.0}
    figs = policy.figures(sim, "simulate")
    assert (figs["fcp"], figs["lcp"], figs["tbt"], figs["si"], figs["cls"]) == (
        1800.0,
        3000.0,
        200.0,
        2000.0,
        0.1,
    )
    assert policy.figures(run, "simulate")["fcp"] == 900.0
    assert policy.figures(sim, "observed")["fcp"] == 900.0
    modes = policy.modes("simulate")
    assert modes["lcp"] == "simulated" and modes["cls"] == "observed"
    assert report.MODE_MARKS[modes["fcp"]] == "<sup>sim</sup>"


def _nav(ts: float, url: str) -> dict[str, Any]:
    data = {"documentLoaderURL": url, "isLoadingMainFrame": True}
    return {
        "name": "navigationStart",
        "pid": 1,
        "tid": 1,
        "ts": ts,
        "args": {"frame": "F", "data": data},
    }


@pytest.mark.parametrize(
    ("trace", "log", "message"),
    [
        ([], [], "no navigation"),
        ([_nav(1000, "http://x/")], [], "painted no content"),
        (
            [
                _nav(1000, "http://x/"),
                {
                    "name": "firstContentfulPaint",
                    "pid": 1,
                    "tid": 1,
                    "ts": 2000,
                    "args": {"frame": "F"},
                },
                {"name": "RunTask", "ph": "X", "pid": 1, "tid": 1, "ts": 1500, "dur": 10},
            ],
            [],
            "no request for http://x/",
        ),
    ],
)
def test_a_load_that_cannot_be_simulated_says_why(
    trace: list[dict[str, Any]], log: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        capture.simulate(capture.Load("http://x/", "http://x/", trace, log), MOBILE)


def test_artifacts_round_trip_and_a_missing_file_is_named(tmp_path: Path) -> None:
    """``save_artifacts`` then ``load_artifacts`` gives the same load back; a folder without the
    DevTools log says which file it lacks."""
    load = capture.Load("http://x/", "http://x/a", [{"name": "n", "ts": 1}], [{"method": "m"}])
    folder = capture.save_artifacts(load, tmp_path / "a")
    assert capture.load_artifacts(folder) == load
    (folder / "defaultPass.devtoolslog.json").unlink()
    with pytest.raises(ValueError, match=r"defaultPass\.devtoolslog\.json"):
        capture.load_artifacts(folder)


@pytest.fixture(scope="module")
def recorded() -> Iterator[capture.Load]:
    """One unthrottled load of the crafted page (mobile device), real Chromium."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    from assetpipe.audit.browser import launch
    from assetpipe.audit.runner import EAGER_SOURCE_POSITIONS

    prof = throttle.MOBILE
    with serve() as url, sync_playwright() as pw:
        browser = launch(pw, args=(EAGER_SOURCE_POSITIONS,))
        try:
            yield capture.record(browser, url, prof, prof.context_options())
        finally:
            browser.close()


@pytest.mark.lighthouse
@pytest.mark.chromium
@pytest.mark.timeout(400)
def test_simulation_agrees_with_lighthouse_on_the_same_load(
    recorded: capture.Load, tmp_path: Path
) -> None:
    """The load saved as Lighthouse artifacts and audited by Lighthouse 12.2.3 with
    ``--throttling-method=simulate`` (its Lantern, no browser): our FCP, LCP, Speed Index and
    TBT of the same load under the same settings agree within 2 %, mobile and desktop."""
    require_lighthouse()
    folder = capture.save_artifacts(recorded, tmp_path / "artifacts")
    for prof in (throttle.MOBILE, throttle.DESKTOP):
        ours = capture.simulate(recorded, capture.settings_for(prof))
        lh = lighthouse.run_artifacts(folder, prof)["metrics"]
        for key in ("fcp", "lcp", "si", "tbt"):
            assert abs(ours[key] - lh[key]) <= SAME_LOAD_TOLERANCE * lh[key] + 1, (
                prof.name,
                key,
                ours,
                lh,
            )
        # The page's 300 ms of script is a long task under either CPU factor, most of it after
        # the simulated FCP (a task that began before it counts from it).
        assert ours["tbt"] > 100 and ours["lcp"] > ours["fcp"] > 0, (prof.name, ours)
    mobile = capture.simulate(recorded, capture.settings_for(throttle.MOBILE))
    desktop = capture.simulate(recorded, capture.settings_for(throttle.DESKTOP))
    assert mobile["fcp"] > 2 * desktop["fcp"]


@pytest.mark.chromium
@pytest.mark.timeout(300)
def test_metrics_simulate_from_the_command_line(tmp_path: Path) -> None:
    """``--metrics simulate``: FCP, LCP, TBT and Speed Index are marked simulated, CLS and TTFB
    observed; the simulated mobile FCP holds at least the three round trips of a cold
    connection at 150 ms."""
    require_chromium()
    write_tree(
        tmp_path, {"pipeline.yaml": "source: site\noutput: dist\n", "site/templates/x.html": "x\n"}
    )
    with serve() as url:
        res = run_cli(
            "audit",
            "--base-url",
            url.rstrip("/"),
            "--page",
            "/",
            "--runs",
            "1",
            "--metrics",
            "simulate",
            "--json",
            "--no-hints",
            cwd=tmp_path,
            timeout=240,
        )
    assert res.code in (0, 1), res.err
    doc = json.loads(res.out)
    page = doc["pages"][0]
    assert doc["mode"] == "simulate" and page["status"] == "measured", page
    assert {page["modes"][k] for k in ("fcp", "lcp", "tbt", "si")} == {"simulated"}
    assert page["modes"]["cls"] == page["modes"]["ttfb"] == "observed"
    assert page["metrics"]["fcp"] >= 450 and page["metrics"]["lcp"] >= page["metrics"]["fcp"]
    assert not [w for w in page["warnings"] if "simulated" in w]

"""Audit logic without a browser: Lighthouse path matching, budget selection and evaluation,
budget.json loading, sharding, history regressions, JUnit, GitHub output, merge, CLI usage."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from assetpipe.audit import merge, parse_shard
from assetpipe.audit.budgets import evaluate, load_budget_file, select, url_matches
from assetpipe.audit.builtin import _immutable
from assetpipe.audit.github import annotation_lines, summary_markdown
from assetpipe.audit.history import History
from assetpipe.audit.junit import to_xml
from assetpipe.audit.options import exit_code
from assetpipe.audit.report import render, save
from assetpipe.audit.selection import shard_pages
from assetpipe.audit.throttle import DESKTOP, MOBILE
from assetpipe.config import Budget
from assetpipe.errors import ConfigError, UsageError
from tests.conftest import run_cli, write_tree


def page(path: str = "/", **kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "path": path,
        "url": "http://127.0.0.1:1" + path,
        "status": "measured",
        "passed": True,
        "error": None,
        "metrics": {
            "ttfb": 100.0,
            "fcp": 900.0,
            "lcp": 1500.0,
            "cls": 0.05,
            "tbt": 120.0,
            "load": 1800.0,
        },
        "lcp_element": None,
        "bytes": {
            "document": 5000,
            "script": 50 * 1024,
            "stylesheet": 8000,
            "image": 200_000,
            "font": 0,
            "media": 0,
            "other": 0,
            "third-party": 0,
            "total": 300_000,
        },
        "requests": {
            "document": 1,
            "script": 3,
            "stylesheet": 1,
            "image": 4,
            "font": 0,
            "media": 0,
            "other": 0,
            "third-party": 0,
            "total": 9,
        },
        "repeat_view": {"bytes": {"total": 5000, "hashed": 0}},
        "checks": [],
    }
    base.update(kw)
    return base


@pytest.mark.parametrize(
    ("path", "pattern", "expected"),
    [
        ("/", "/", True),
        ("/shop/cart", "/", True),
        ("/shop", "/shop", True),
        ("/shopping", "/shop", True),
        ("/", "/*", True),
        ("/a/b", "/*", True),
        ("/shop", "/shop$", True),
        ("/shop/", "/shop$", False),
        ("/img/a.jpg", "/*.jpg", True),
        ("/img/a.jpg?x=1", "/*.jpg$", False),
        ("/img/a.jpg", "/*.jpg$", True),
        ("/blog/post", "/blog/*", True),
        ("/blo", "/blog/*", False),
        ("/a?q=1", "/a?q=1", True),
    ],
)
def test_url_matches_like_lighthouse(path: str, pattern: str, expected: bool) -> None:
    assert url_matches(path, pattern) is expected


def test_last_matching_budget_wins_and_profile_filters() -> None:
    everything = Budget(path="/*", timings=(("lcp", 2500.0),))
    shop = Budget(path="/shop", timings=(("lcp", 4000.0),))
    desktop = Budget(path="/*", profile="desktop", timings=(("load", 2000.0),))
    budgets = [everything, shop, desktop]
    assert select(budgets, "/shop/cart", "mobile") is shop
    assert select(budgets, "/", "mobile") is everything
    assert select(budgets, "/shop", "desktop") is desktop
    assert select([shop], "/", "mobile") is None


def test_evaluate_levels_units_and_edges() -> None:
    budget = Budget(
        timings=(("lcp", 1500.0), ("cls", 0.04)),
        resource_sizes=(("script", 50.0), ("total", 292.0)),
        resource_counts=(("total", 8.0),),
        repeat_view=(("hashed", 0.0),),
        min_score=(("performance", 0.9),),
        level=(("timings", "warn"), ("resource_counts", "off")),
    )
    checks = {c.id: c for c in evaluate(budget, page(), lighthouse=False)}
    assert checks["timings.lcp"].passed and checks["timings.lcp"].level == "warn"  # equal: ok
    assert not checks["timings.cls"].passed and not checks["timings.cls"].failed_error
    assert checks["resource_sizes.script"].passed  # exactly 50 KiB
    assert not checks["resource_sizes.total"].passed  # 292.97 KiB > 292
    assert checks["resource_sizes.total"].failed_error
    assert "resource_counts.total" not in checks  # level off
    assert checks["repeat_view.hashed"].passed
    assert "min_score.performance" not in checks  # only with --lighthouse
    scored = {
        c.id: c for c in evaluate(budget, page(lighthouse={"performance": 0.85}), lighthouse=True)
    }
    assert not scored["min_score.performance"].passed
    assert evaluate(None, page(), lighthouse=False) == []


def test_budgets_compare_unrounded_values() -> None:
    """A value just over its budget fails although it rounds to the budget (CLS to 4 decimals,
    KiB to 2 used to hide it); the message shows the digits that make the difference."""
    budget = Budget(
        timings=(("cls", 0.1), ("tbt", 200.0)),
        resource_sizes=(("script", 100.0),),
        repeat_view=(("total", 4.0),),
    )
    over = page(
        metrics={**page()["metrics"], "cls": 0.10004, "tbt": 200.04},
        bytes={**page()["bytes"], "script": 100 * 1024 + 1},
        repeat_view={"bytes": {"total": 4 * 1024 + 3, "hashed": 0}},
    )
    checks = {c.id: c for c in evaluate(budget, over, lighthouse=False)}
    assert not checks["timings.cls"].passed and "0.10004" in checks["timings.cls"].message
    assert not checks["timings.tbt"].passed and "200.04" in checks["timings.tbt"].message
    assert not checks["resource_sizes.script"].passed
    assert checks["resource_sizes.script"].value == (100 * 1024 + 1) / 1024
    assert "100.001" in checks["resource_sizes.script"].message
    assert not checks["repeat_view.total"].passed
    exact = page(
        metrics={**page()["metrics"], "cls": 0.1, "tbt": 200.0},
        bytes={**page()["bytes"], "script": 100 * 1024},
        repeat_view={"bytes": {"total": 4 * 1024, "hashed": 0}},
    )
    assert all(c.passed for c in evaluate(budget, exact, lighthouse=False))


def test_budget_file_is_read_and_merged_before_config_budgets(tmp_path: Path) -> None:
    (tmp_path / "budget.json").write_text(
        json.dumps(
            [
                {
                    "path": "/*",
                    "timings": [
                        {"metric": "largest-contentful-paint", "budget": 3000},
                        {"metric": "interactive", "budget": 5000},
                        {"metric": "server-response-time", "budget": 200},
                        {"metric": "time-to-first-byte", "budget": 900},
                    ],
                    "resourceSizes": [{"resourceType": "script", "budget": 120}],
                    "resourceCounts": [{"resourceType": "third-party", "budget": 0}],
                }
            ]
        )
    )
    budgets = load_budget_file(tmp_path / "budget.json", "budget.json")
    # interactive: skipped with a warning; server-response-time is the server's share (the
    # emulated latency left out), time-to-first-byte the TTFB the network saw.
    assert budgets[0].timings == (("lcp", 3000.0), ("server", 200.0), ("ttfb", 900.0))
    assert budgets[0].resource_sizes == (("script", 120.0),)
    assert budgets[0].resource_counts == (("third-party", 0.0),)
    write_tree(
        tmp_path,
        {
            "site/templates/x.html": "x",
            "pipeline.yaml": (
                "source: site\nbudget_file: budget.json\nbudgets:\n  - path: /only\n"
                "    timings: {lcp: 1000}\n"
            ),
        },
    )
    from assetpipe.audit.budgets import all_budgets
    from assetpipe.config import load_config

    merged = all_budgets(load_config(tmp_path / "pipeline.yaml"))
    assert [b.path for b in merged] == ["/*", "/only"]
    assert select(merged, "/only", "mobile") is merged[1]  # the config's, later, wins


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[{"path": "/",}]', "budget.json:1:"),
        ("{}", "expected a JSON array"),
        ('[{"path": "nope"}]', "[0].path"),
        (
            '[{"resourceSizes": [{"resourceType": "scripts", "budget": 1}]}]',
            "[0].resourceSizes[0].resourceType: unknown resource type 'scripts'",
        ),
        (
            '[{"timings": [{"metric": "first-contentful-paint", "budget": -1}]}]',
            "[0].timings[0].budget",
        ),
        ('[{"path": "/", "assertions": {}}]', "[0].assertions: unknown key"),
    ],
)
def test_bad_budget_files_name_file_and_key(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "budget.json").write_text(content)
    with pytest.raises(ConfigError) as err:
        load_budget_file(tmp_path / "budget.json", "budget.json")
    assert message in str(err.value)
    assert str(err.value).startswith("budget.json")


def test_bad_budget_file_exits_2_from_the_cli(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "site/templates/pages/i.html": "x",
            "budget.json": "[{]",
            "pipeline.yaml": (
                "source: site\nbudget_file: budget.json\npages:\n"
                "  - {path: /, template: pages/i.html}\n"
            ),
        },
    )
    res = run_cli("audit", cwd=tmp_path)
    assert res.code == 2
    assert "error: budget.json:1:3: invalid JSON" in res.err


@pytest.mark.parametrize(("n_pages", "n"), [(3, 2), (10, 4), (1, 3), (7, 7)])
def test_shards_cover_every_page_once_in_order(n_pages: int, n: int) -> None:
    paths = [f"/p{i}" for i in range(n_pages)]
    parts = [shard_pages(paths, (i, n)) for i in range(1, n + 1)]
    assert [p for part in parts for p in part] == paths
    assert max(map(len, parts)) - min(map(len, parts)) <= 1


@pytest.mark.parametrize("bad", ["0/2", "3/2", "1/0", "a/b", "1", "1/2/3"])
def test_bad_shard_is_a_usage_error(bad: str) -> None:
    with pytest.raises(UsageError):
        parse_shard(bad)
    assert parse_shard("2/4") == (2, 4)


def test_cli_usage_errors_exit_2(tmp_path: Path) -> None:
    """The user's own errors come first (exit 2), on any machine: a Chromium that does not
    exist (exit 3 otherwise) does not hide them."""
    no_browser = {"ASSETPIPE_CHROMIUM": str(tmp_path / "no-such-chromium")}
    write_tree(
        tmp_path,
        {
            "site/templates/pages/i.html": "x",
            "pipeline.yaml": ("source: site\npages:\n  - {path: /, template: pages/i.html}\n"),
        },
    )
    res = run_cli("audit", "--shard", "5/2", cwd=tmp_path)
    assert res.code == 2 and "--shard" in res.err
    res = run_cli("audit", "--page", "/nope", cwd=tmp_path)
    assert res.code == 2 and "--page /nope" in res.err
    res = run_cli("audit", "--fail-on-regression=lots", cwd=tmp_path)
    assert res.code == 2 and "--fail-on-regression" in res.err
    res = run_cli("audit", cwd=tmp_path, env=no_browser)  # not built yet
    assert res.code == 2 and "assetpipe build" in res.err
    res = run_cli("audit", "--baseline", str(tmp_path / "nope"), cwd=tmp_path, env=no_browser)
    assert res.code == 2 and "assetpipe build" in res.err
    assert run_cli("build", cwd=tmp_path).code == 0
    res = run_cli("audit", "--baseline", str(tmp_path / "nope"), cwd=tmp_path, env=no_browser)
    assert res.code == 2 and "not an audit report folder" in res.err
    res = run_cli("audit", cwd=tmp_path, env=no_browser)  # the user's side is right: the browser
    assert res.code == 3 and "ASSETPIPE_CHROMIUM" in res.err
    (tmp_path / "pipeline.yaml").write_text("source: site\n")
    res = run_cli("audit", "--json", cwd=tmp_path, env=no_browser)
    assert res.code == 2 and json.loads(res.out)["ok"] is False
    assert "no pages to audit" in res.err


def test_history_regressions_use_the_median_and_a_floor(tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite")
    for lcp, tbt in ((1000.0, 0.0), (1100.0, 0.0), (5000.0, 5.0)):  # one outlier
        history.record("mobile", [page(metrics={"lcp": lcp, "tbt": tbt})])
    assert history.regressions(page(metrics={"lcp": 1200.0, "tbt": 15.0}), "mobile", 10) == []
    # 1300 would be +18 %, but within 3 robust sigmas of 1000/1100/5000 (MAD 100): noise.
    assert [m for m, _, _ in history.regressions(page(metrics={"lcp": 1300.0}), "mobile", 10)] == []
    found = history.regressions(page(metrics={"lcp": 1600.0, "tbt": 40.0}), "mobile", 10)
    assert [(m, b) for m, _, b in found] == [("lcp", 1100.0), ("tbt", 0.0)]
    assert history.regressions(page(metrics={"lcp": 9e9}), "desktop", 10) == []
    series = history.series("/", "mobile")
    assert [v for _, v, _ in series["lcp"]] == [1000.0, 1100.0, 5000.0]


def test_regressions_are_noise_aware(tmp_path: Path) -> None:
    """A metric that moved ~15 % between past audits does not fail a 10 % tolerance at +20 %;
    a steady one does."""
    history = History(tmp_path / "h.sqlite")
    for lcp, tbt in (
        (1000.0, 100.0),
        (1300.0, 100.0),
        (1100.0, 101.0),
        (1350.0, 100.0),
        (1200.0, 100.0),
    ):
        history.record("mobile", [page(metrics={**page()["metrics"], "lcp": lcp, "tbt": tbt})])
    now = page(metrics={**page()["metrics"], "lcp": 1440.0, "tbt": 150.0})
    assert [m for m, _, _ in history.regressions(now, "mobile", 10.0)] == ["tbt"]


def test_baseline_comparison_fails_beyond_the_runs_noise(tmp_path: Path) -> None:
    """--baseline: LCP +300 ms when both audits' runs spread ~±40 ms is a regression; TBT +30
    ms when the runs spread by ±100 ms is noise; 2 KiB more script fails (bytes have no
    noise); the report shows both side by side."""
    from assetpipe.audit import baseline

    def runs(lcps: list[float], tbts: list[float]) -> dict[str, Any]:
        return {
            "/": {
                "runs": [
                    {**page()["metrics"], "lcp": lcp, "tbt": tbt}
                    for lcp, tbt in zip(lcps, tbts, strict=True)
                ]
            }
        }

    base = {"profile": "mobile", "runs": 3, "passed": True, "pages": [page()]}
    save(tmp_path / "main", base, runs([1460, 1500, 1540], [20, 120, 220]), {})
    now_page = page(
        metrics={**page()["metrics"], "lcp": 1800.0, "tbt": 150.0},
        bytes={**page()["bytes"], "script": 50 * 1024 + 2048},
    )
    doc: dict[str, Any] = {"profile": "mobile", "runs": 3, "passed": True, "pages": [now_page]}
    base_doc, base_details = baseline.load(tmp_path / "main")
    baseline.compare(doc, runs([1760, 1800, 1840], [50, 150, 250]), base_doc, base_details)
    failed = {c["id"] for c in doc["pages"][0]["checks"] if not c["passed"]}
    assert failed == {"baseline.lcp", "baseline.bytes.script"}
    assert doc["passed"] is False
    assert doc["pages"][0]["baseline"]["lcp"]["pct"] == pytest.approx(20.0)
    assert "Against the baseline" in render(doc, {}, {})
    with pytest.raises(UsageError, match="profile"):
        baseline.compare({**doc, "profile": "desktop"}, {}, base_doc, base_details)
    with pytest.raises(UsageError, match="--baseline"):
        baseline.load(tmp_path / "missing")


def test_cache_control_immutable() -> None:
    assert _immutable("public, max-age=31536000, immutable")
    assert not _immutable("public, max-age=3600, immutable")
    assert not _immutable("no-cache")
    assert not _immutable(None)


def failing_doc() -> dict[str, Any]:
    bad = page(
        "/shop",
        passed=False,
        checks=[
            {
                "id": "lcp.not_lazy",
                "level": "error",
                "limit": 0,
                "value": 1,
                "passed": False,
                "message": "lazy, 50% of it",
                "template": "pages/shop.html",
                "line": 7,
            },
            {
                "id": "timings.tbt",
                "level": "warn",
                "limit": 100,
                "value": 120,
                "passed": False,
                "message": "tbt is 120 ms, budget at most 100 ms",
            },
            {"id": "timings.cls", "level": "error", "limit": 0.1, "value": 0.05, "passed": True},
        ],
    )
    broken = page(
        "/down",
        status="errored",
        passed=False,
        error="HTTP 500",
        metrics=None,
        bytes=None,
        requests=None,
        repeat_view=None,
        checks=[
            {
                "id": "page.load",
                "level": "error",
                "limit": None,
                "value": None,
                "passed": False,
                "message": "the page could not be measured: HTTP 500",
            }
        ],
    )
    return {
        "profile": "mobile",
        "runs": 3,
        "shard": "1/1",
        "passed": False,
        "pages": [page(), bad, broken],
    }


def test_junit_has_a_case_per_check() -> None:
    root = ET.fromstring(to_xml(failing_doc()))
    assert root.get("tests") == "4" and root.get("failures") == "1" and root.get("errors") == "1"
    shop = root.find("testsuite[@name='/shop']")
    assert shop is not None
    cases = {c.get("name"): c for c in shop.iter("testcase")}
    failure = cases["lcp.not_lazy"].find("failure")
    assert failure is not None and "pages/shop.html:7" in (failure.get("message") or "")
    assert cases["timings.tbt"].find("failure") is None  # warn level: reported, not failed
    assert cases["timings.cls"].find("failure") is None


def test_github_annotations_and_summary() -> None:
    lines = annotation_lines(failing_doc(), "site/templates")
    assert lines[0] == (
        "::error file=site/templates/pages/shop.html,line=7,"
        "title=audit /shop lcp.not_lazy::lazy, 50%25 of it"
    )
    assert lines[1].startswith("::warning title=audit /shop timings.tbt::")
    assert lines[2].startswith("::error title=audit /down page.load::")
    md = summary_markdown(failing_doc())
    assert "FAILED" in md and "| `/down` | errored: HTTP 500" in md and "❌ lcp.not_lazy" in md


def test_annotations_once_per_image_and_not_from_shards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each offending image is annotated on its own template line; a shard (``2/3``) leaves
    annotations to ``audit merge`` (they were emitted twice), its step summary is still
    written."""
    from assetpipe.audit.github import emit

    doc = failing_doc()
    doc["pages"][0]["checks"] = [
        {
            "id": "images.distorted",
            "level": "error",
            "limit": 0,
            "value": 2,
            "passed": False,
            "message": "2 distorted image(s)",
            "template": "a.html",
            "line": 3,
            "items": [
                {
                    "url": "/static/a.png",
                    "detail": "rendered 100x100",
                    "value": 1,
                    "template": "a.html",
                    "line": 3,
                },
                {
                    "url": "/static/b.png",
                    "detail": "rendered 50x80",
                    "value": 1,
                    "template": "b.html",
                    "line": 9,
                },
            ],
        }
    ]
    lines = [x for x in annotation_lines(doc) if "images.distorted" in x]
    assert [x.split("::")[1].split(",")[:2] for x in lines] == [
        ["error file=a.html", "line=3"],
        ["error file=b.html", "line=9"],
    ]
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    for shard, expected in (
        ("2/3", 0),
        ("1/1", len(annotation_lines(doc))),
        ("merged 3 (1/3, 2/3, 3/3)", len(annotation_lines(doc))),
    ):
        echoed: list[str] = []
        emit({**doc, "shard": shard}, echoed.append)
        assert len(echoed) == expected, shard
    assert (tmp_path / "summary.md").read_text().count("### assetpipe audit") == 3


def test_exit_codes() -> None:
    doc = failing_doc()
    assert exit_code(doc) == 1
    assert exit_code({**doc, "passed": True, "pages": [page()]}) == 0
    only_errors = {**doc, "pages": [doc["pages"][2]]}
    assert exit_code(only_errors) == 1  # the site failed; 3 is only "a tool is missing"


def test_policy_modes_aggregates_and_disagreement() -> None:
    from assetpipe.audit import policy

    runs = [
        {"ttfb": 1.0, "fcp": 2.0, "lcp": 3.0, "cls": 0.0, "tbt": t, "load": 4.0, "tbt_cpu": t / 2}
        for t in (100.0, 300.0, 200.0)
    ]
    assert [policy.figures(r, "cpu")["tbt"] for r in runs] == [50.0, 150.0, 100.0]
    assert policy.modes("cpu")["tbt"] == "cpu-time" and policy.modes("cpu")["lcp"] == "observed"
    tbts = [r["tbt"] for r in runs]
    assert [policy.aggregate(tbts, h) for h in policy.AGGREGATES] == [200.0, 100.0, 300.0]
    assert policy.disagreeing(runs, Budget(timings=(("tbt", 250.0), ("lcp", 5.0)))) == ["tbt"]
    assert policy.disagreeing(runs, Budget(timings=(("tbt", 300.0),))) == []  # all pass
    assert policy.disagreeing(runs, None) == []


def test_page_slugs_never_collide() -> None:
    from assetpipe.audit.summary import slug

    paths = ["/", "/x", "/x/", "/a/b", "/a_b", "/a?b=1", "/" + "y" * 200]
    slugs = [slug(p) for p in paths]
    assert len(set(slugs)) == len(paths)
    assert all(s.replace("-", "").replace("_", "").replace(".", "").isalnum() for s in slugs)
    assert slug("/x").startswith("x-") and slug("/").startswith("index-")


def test_merge_report_folders(tmp_path: Path) -> None:
    doc = failing_doc()
    one = {**doc, "shard": "1/2", "pages": doc["pages"][:1]}
    two = {**doc, "shard": "2/2", "pages": doc["pages"][1:]}
    save(
        tmp_path / "b",
        two,
        {"/shop": {"screenshot": "pages/shop/screenshot.jpg"}},
        {"pages/shop/screenshot.jpg": b"\xff\xd8jpeg"},
    )
    save(tmp_path / "a", one, {}, {})
    merged = merge([tmp_path / "b", tmp_path / "a"])  # shard order, not argument order
    assert [p["path"] for p in merged.doc["pages"]] == ["/", "/shop", "/down"]
    assert merged.doc["passed"] is False and merged.exit_code == 1
    assert merged.pictures == {"pages/shop/screenshot.jpg": b"\xff\xd8jpeg"}
    save(tmp_path / "c", {**one, "profile": "desktop"}, {}, {})
    with pytest.raises(UsageError, match="profile"):
        merge([tmp_path / "a", tmp_path / "c"])
    with pytest.raises(UsageError, match=r"no audit\.json"):
        merge([tmp_path / "missing"])


def test_report_is_self_contained() -> None:
    doc = failing_doc()
    net = [
        {
            "url": "http://127.0.0.1:1/",
            "type": "document",
            "status": 200,
            "start": 0.0,
            "response": 50.0,
            "end": 60.0,
            "bytes": 5000,
            "from_cache": False,
        }
    ]
    html = render(
        doc,
        {
            "/": {
                "network": net,
                "trend": {"lcp": [[1, 1000.0], [2, 1200.0]]},
                "long_tasks": [
                    {
                        "start": 900.0,
                        "dur": 320.0,
                        "cpu": 300.0,
                        "kinds": {"script": 280.0, "layout": 30.0},
                        "url": "http://127.0.0.1:1/static/app.js",
                    }
                ],
                "screenshot": "s.jpg",
                "filmstrip": [{"t": 5.0, "file": "f.jpg"}],
            }
        },
        {"s.jpg": b"\xff\xd8a", "f.jpg": b"\xff\xd8b"},
    )
    assert html.count("data:image/jpeg;base64,") == 2
    assert "script 280, layout 30" in html and "/static/app.js" in html
    # The overview table lists every page, linking to its section.
    overview = html[html.index("<h2>Overview</h2>") : html.index('<section class="page" id=')]
    assert all(f"<code>{p['path']}</code>" in overview for p in doc["pages"])
    assert "<script" not in html and "http://" not in html.replace("http://127.0.0.1:1/", "")
    assert "request waterfall" in html and "lcp (ms) trend" in html
    assert "errored: HTTP 500" in html


def test_profiles_match_lighthouse_devtools_throttling() -> None:
    assert MOBILE.latency_ms == 150 * 3.75
    assert MOBILE.download_bps == pytest.approx(1.6 * 1024 * 1024 / 8 * 0.9, rel=1e-3)
    assert MOBILE.upload_bps == 750 * 1024 / 8 * 0.9
    assert (MOBILE.cpu_rate, MOBILE.width, MOBILE.height, MOBILE.dpr) == (4, 412, 823, 1.75)
    assert (DESKTOP.latency_ms, DESKTOP.download_bps, DESKTOP.cpu_rate) == (40, 1_310_720, 1)
    flags = MOBILE.lighthouse_flags()
    assert "--throttling-method=devtools" in flags
    assert "--throttling.requestLatencyMs=562.5" in flags


def test_trace_tasks_and_blocking_time() -> None:
    """Top-level RunTask events of the page's main thread after its navigation, what they did
    (children by kind), and Lighthouse's TBT: the part beyond 50 ms after FCP; the CPU-time
    figure scaled by a CPU factor. The events are shaped as Chromium writes them."""
    from assetpipe.audit.trace import blocking_time, parse

    url = "http://127.0.0.1:1/"
    nav = {
        "name": "navigationStart",
        "pid": 7,
        "tid": 1,
        "ph": "R",
        "ts": 1_000_000,
        "args": {"frame": "F", "data": {"documentLoaderURL": url, "isLoadingMainFrame": True}},
    }

    def x(
        name: str,
        ts_ms: float,
        dur_ms: float,
        tdur_ms: float | None = None,
        tid: int = 1,
        **data: Any,
    ) -> dict[str, Any]:
        ev = {
            "name": name,
            "pid": 7,
            "tid": tid,
            "ph": "X",
            "ts": 1_000_000 + ts_ms * 1000,
            "dur": dur_ms * 1000,
            "args": {"data": data},
        }
        if tdur_ms is not None:
            ev["tdur"] = tdur_ms * 1000
        return ev

    events = [
        {
            **nav,
            "args": {
                "frame": "F",
                "data": {"documentLoaderURL": "about:blank", "isLoadingMainFrame": True},
            },
            "ts": 900_000,
        },
        nav,
        {
            "name": "firstContentfulPaint",
            "pid": 7,
            "tid": 1,
            "ph": "R",
            "ts": 1_200_000,
            "args": {"frame": "F"},
        },
        x("RunTask", 100, 150, 140),
        x("EvaluateScript", 101, 140, url=url + "a.js"),
        x("FunctionCall", 102, 100, url=url + "b.js"),  # nested in EvaluateScript: not counted
        x("RunTask", 1000, 300, 75),
        x("UpdateLayoutTree", 1001, 100),
        x("Layout", 1102, 150),
        x("Paint", 1260, 30),
        x("RunTask", 1400, 40, 40),
        x("RunTask", 2000, 400, 400, tid=2),  # another thread
    ]
    trace = parse(events, url)
    assert trace.fcp == 200.0
    assert [(t.start, t.dur, t.cpu) for t in trace.tasks] == [
        (100.0, 150.0, 140.0),
        (1000.0, 300.0, 75.0),
        (1400.0, 40.0, 40.0),
    ]
    assert trace.tasks[0].kinds == {"script": 140.0} and trace.tasks[0].url == url + "a.js"
    assert trace.tasks[1].kinds == {"style": 100.0, "layout": 150.0, "paint": 30.0}
    # Task 1 (100-250 ms) counts from FCP (200): 50 ms, not beyond 50. Task 2: 300 - 50.
    assert blocking_time(trace.tasks, trace.fcp) == 250.0
    # CPU time x4: task 1 is 560 ms from 100 (460 after FCP -> 410), task 2 300 -> 250,
    # task 3 160 -> 110.
    assert blocking_time(trace.tasks, 200.0, duration=lambda t: t.cpu, scale=4) == 770.0


def test_image_records_merge_per_tag_and_profile() -> None:
    """A base-template logo rendered 24 px on one page and 32 px on another: one record, the
    widest box, safe only if safe everywhere."""
    from assetpipe.audit.hintsfile import merge_records
    from assetpipe.rewrite.hints import ImageHint

    def rec(width: float, safe: bool, profile: str = "desktop") -> ImageHint:
        return ImageHint(
            "base.html", 19, "icons/logo.svg", profile, 1350, 1.0, width, width, 32, 32, safe
        )

    merged = merge_records([rec(24, False), rec(32, True), rec(30, True, "mobile")])
    assert merged == [rec(32, False), rec(30, True, "mobile")]


def test_a_hint_is_marked_some_pages_where_a_page_rendered_its_tag_with_another_lcp() -> None:
    """``merge_hints``: one hint per tag; ``some_pages`` once any page rendered the tag while
    its LCP was something else, and for good (a later audit that sees only the tag's own
    page keeps the mark); a page that never rendered the tag changes nothing."""
    from assetpipe.audit.hintsfile import merge_hints
    from assetpipe.rewrite.hints import Hint

    badge, hero = ("base.html", 6), ("pages/long.html", 3)
    found = [Hint(*badge, "media/badge.png")]
    lcp_of = {"/short": badge, "/long": hero, "/about": None}
    rendered = {"/short": {badge}, "/long": {badge, hero}, "/about": set()}
    marked = merge_hints(found, lcp_of, rendered)
    assert marked == [Hint(*badge, "media/badge.png", some_pages=True)]
    assert merge_hints(found, {"/short": badge}, {"/short": {badge}}) == found
    assert merge_hints([*found, *marked], {"/short": badge}, {"/short": {badge}}) == marked
    assert merge_hints(found, {"/about": None}, {"/about": set()}) == found

"""The HTML report's table of user flows (``flows``): per flow its verdict, INP, CLS, each
step's latency and the failed checks."""

from __future__ import annotations

from html import escape
from typing import Any

from .summary import fmt_metric


def flows_html(flows: list[dict[str, Any]]) -> str:
    """A report section with one row per flow (the login first); empty without flows."""
    if not flows:
        return ""
    rows = []
    for f in flows:
        cls = {"passed": "ok", "failed": "bad", "errored": "bad"}[f["verdict"]]
        steps = "<br>".join(
            f"{escape(s['kind'])} <code>{escape(s['selector'])}</code>"
            + (f" — {s['latency_ms']:.0f} ms" if s["latency_ms"] is not None else "")
            for s in f["steps"]
        )
        failed = "<br>".join(
            escape(c.get("message") or c["id"]) for c in f.get("checks") or [] if not c["passed"]
        )
        rows.append(
            f'<tr><td>{escape(f["name"])}</td><td class="{cls}">{escape(f["verdict"])}</td>'
            f"<td>{escape(fmt_metric('tbt', f['inp']))}</td>"
            f"<td>{escape(fmt_metric('cls', f['cls']))}</td><td>{steps}</td>"
            f"<td>{failed or '–'}</td></tr>"
        )
    head = "".join(
        f"<th>{h}</th>" for h in ("flow", "verdict", "INP", "CLS", "steps (latency)", "failed")
    )
    return (
        '<section class="page"><h2>User flows</h2><table class="overview">'
        f"<tr>{head}</tr>{''.join(rows)}</table></section>"
    )

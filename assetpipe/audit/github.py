"""GitHub Actions output: workflow-command annotations for failed checks and a Markdown table in
``$GITHUB_STEP_SUMMARY``. Active only when ``GITHUB_ACTIONS=true``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .summary import fmt_bytes, fmt_metric


def active() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def _escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def annotation_lines(doc: dict[str, Any], template_root: str | None = None) -> list[str]:
    """``::error``/``::warning`` lines for every failed check of the pages (with file and line
    when the check names a template line) and of the user flows."""
    out = []
    for page in doc["pages"]:
        for check in page.get("checks") or []:
            if check["passed"]:
                continue
            kind = "error" if check["level"] == "error" else "warning"
            title = f"title={_escape('audit ' + page['path'] + ' ' + check['id'], True)}"
            # One annotation per offending item (each image on its template line), else one.
            targets = [
                (i.get("template"), i.get("line"), f"{i.get('url')}: {i.get('detail')}")
                for i in check.get("items") or []
            ] or [(check.get("template"), check.get("line"), check.get("message") or "")]
            for template, line, message in targets:
                props = [title]
                if template:
                    file = f"{template_root}/{template}" if template_root else template
                    props.insert(0, f"file={_escape(file, True)}")
                    if line:
                        props.insert(1, f"line={line}")
                out.append(f"::{kind} {','.join(props)}::{_escape(message)}")
    for flow in doc.get("flows") or []:
        for check in flow.get("checks") or []:
            if not check["passed"]:
                kind = "error" if check["level"] == "error" else "warning"
                title = _escape(f"audit flow {flow['name']} {check['id']}", True)
                out.append(f"::{kind} title={title}::{_escape(check.get('message') or '')}")
    return out


def summary_markdown(doc: dict[str, Any]) -> str:
    """A Markdown table of the pages (for ``$GITHUB_STEP_SUMMARY`` and the README)."""
    lines = [
        f"### assetpipe audit — {doc['profile']}, median of {doc['runs']} run(s): "
        f"{'passed' if doc['passed'] else 'FAILED'}",
        "",
        "| page | LCP | FCP | CLS | TBT | load | JS | total | repeat view (hashed) | checks |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for p in doc["pages"]:
        if p["status"] != "measured":
            lines.append(f"| `{p['path']}` | errored: {p.get('error')} |||||||||")
            continue
        m = p["metrics"]
        failed = [c["id"] for c in p["checks"] if not c["passed"]]
        lines.append(
            f"| `{p['path']}` | {fmt_metric('lcp', m['lcp'])} | {fmt_metric('fcp', m['fcp'])} | "
            f"{fmt_metric('cls', m['cls'])} | {fmt_metric('tbt', m['tbt'])} | "
            f"{fmt_metric('load', m['load'])} | {fmt_bytes(p['bytes']['script'])} | "
            f"{fmt_bytes(p['bytes']['total'])} | "
            f"{fmt_bytes(p['repeat_view']['bytes'].get('hashed', 0))} | "
            f"{'✅ ' + str(len(p['checks'])) if not failed else '❌ ' + ', '.join(failed)} |"
        )
    return "\n".join(lines) + "\n"


def emit(
    doc: dict[str, Any], echo: Callable[[str], None], template_root: str | None = None
) -> None:
    """Print annotations through ``echo`` and append the summary to ``$GITHUB_STEP_SUMMARY``.

    A shard (``--shard I/N`` with N > 1) writes its step summary but leaves the annotations to
    ``audit merge``, so a workflow that shards and merges annotates each failure once."""
    shard = str(doc.get("shard") or "1/1")
    of = shard.rpartition("/")[2]
    if shard.startswith("merged") or not of.isdigit() or int(of) <= 1:
        for line in annotation_lines(doc, template_root):
            echo(line)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with Path(summary).open("a", encoding="utf-8") as f:
            f.write(summary_markdown(doc) + "\n")

"""``assetpipe audit`` (measure pages in Chromium against the budgets) and ``audit merge``."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from .common import esc, make_console, progress_bar, run_command, setup_logging
from .options import CONFIG_OPTION


@click.group(invoke_without_command=True)
@CONFIG_OPTION
@click.option("--base-url", help="Audit a running site instead of serving the build.")
@click.option(
    "--app",
    "app_spec",
    metavar="MODULE:APP",
    help="Audit your own WSGI/ASGI app, imported and served on loopback.",
)
@click.option("--page", "pages", multiple=True, metavar="PATH", help="Only these pages.")
@click.option(
    "--profile",
    type=click.Choice(["mobile", "desktop"]),
    default=None,
    help="Throttling profile [default: audit.profile].",
)
@click.option(
    "--runs",
    default=None,
    metavar="N|auto",
    help="Runs per page [default: audit.runs]; auto: 3, more (up to 9) while runs "
    "disagree about a budget.",
)
@click.option(
    "--metrics",
    "mode",
    type=click.Choice(["observed", "cpu", "simulate"]),
    default=None,
    help="cpu: TBT from thread CPU time (steadier on busy hosts); simulate: FCP, LCP, TBT "
    "and SI simulated from an unthrottled load, as Lighthouse's default (Lantern) "
    "[default: audit.metrics, observed].",
)
@click.option(
    "--aggregate",
    type=click.Choice(["median", "optimistic", "pessimistic"]),
    default="median",
    show_default=True,
    help="How runs combine, per metric.",
)
@click.option("--json", "json_mode", is_flag=True, help="Print one JSON document on stdout.")
@click.option("--junit", "junit_file", type=click.Path(dir_okay=False), help="Write JUnit XML.")
@click.option(
    "--report",
    "report_dir",
    type=click.Path(file_okay=False),
    help="Report folder [default: .assetpipe/audit-report].",
)
@click.option(
    "--shard",
    default="1/1",
    show_default=True,
    metavar="I/N",
    help="Audit the I-th of N slices of the pages.",
)
@click.option("--lighthouse", is_flag=True, help="Also run Lighthouse 12 (scores, min_score).")
@click.option(
    "--fail-on-regression",
    "regression",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[PCT]",
    help="Fail on a metric worse than the history's median by PCT % "
    "[default: audit.regression_tolerance].",
)
@click.option("--no-hints", is_flag=True, help="Do not write lcp-hints.json.")
@click.option(
    "--baseline",
    "baseline_dir",
    type=click.Path(file_okay=False),
    default=None,
    metavar="REPORT_DIR",
    help="Compare with another audit's --report folder; fail "
    "on a regression beyond the runs' noise.",
)
@click.option(
    "--max-wait",
    type=click.FloatRange(1, 600),
    default=30,
    show_default=True,
    metavar="SECONDS",
    help="Cap on observing one load (a page that never goes "
    "quiet or never fires load is measured at the cap).",
)
@click.option("-v", "--verbose", count=True, help="More output; tracebacks on errors.")
@click.option("-q", "--quiet", is_flag=True, help="Only the result and failures.")
@click.pass_context
def audit(
    ctx: click.Context,
    config_path: str,
    base_url: str | None,
    app_spec: str | None,
    pages: tuple[str, ...],
    profile: str | None,
    runs: str | None,
    mode: str | None,
    aggregate: str,
    json_mode: bool,
    junit_file: str | None,
    report_dir: str | None,
    shard: str,
    lighthouse: bool,
    regression: str | None,
    no_hints: bool,
    baseline_dir: str | None,
    max_wait: float,
    verbose: int,
    quiet: bool,
) -> None:
    """Measure Core Web Vitals and page weight in headless Chromium against the budgets."""
    if ctx.invoked_subcommand:
        return
    setup_logging(verbose, quiet, json_mode)

    def body() -> int:
        from pathlib import Path

        from ..audit import AuditOptions, parse_shard, run_audit
        from ..audit.standalone import load_for_audit
        from ..errors import UsageError

        cfg = load_for_audit(config_path, base_url)
        try:
            tolerance = (
                None
                if regression is None
                else (float(regression) if regression else cfg.audit.regression_tolerance)
            )
        except ValueError:
            raise UsageError(
                f"--fail-on-regression: expected a percentage, got {regression!r}"
            ) from None
        auto = runs == "auto"
        try:
            n_runs = None if runs is None or auto else int(runs)
        except ValueError:
            raise UsageError(f"--runs: expected a number or 'auto', got {runs!r}") from None
        if n_runs is not None and not 1 <= n_runs <= 100:
            raise UsageError(f"--runs: expected 1 to 100, got {n_runs}")
        opts = AuditOptions(
            profile=profile,
            runs=n_runs,
            runs_auto=auto,
            mode=mode,
            aggregate=aggregate,
            pages=pages,
            base_url=base_url,
            app=app_spec,
            shard=parse_shard(shard),
            lighthouse=lighthouse,
            fail_on_regression=tolerance,
            hints=not no_hints,
            capture=True,
            max_wait_ms=max_wait * 1000,
            baseline=Path(baseline_dir) if baseline_dir else None,
        )
        with progress_bar(not quiet and not json_mode) as prog, _app_output(json_mode):
            result = run_audit(cfg, opts, progress=prog)
        folder = Path(report_dir) if report_dir else cfg.state_dir / "audit-report"
        root = os.path.relpath(cfg.source / cfg.templates.dirs[0]) if cfg.templates.dirs else None
        return _finish_audit(result, folder, junit_file, json_mode, quiet, root)

    run_command(body, verbose=verbose, json_mode=json_mode)


@audit.command("merge")
@click.argument("folders", nargs=-1, required=True, type=click.Path(file_okay=False))
@click.option("--json", "json_mode", is_flag=True, help="Print one JSON document on stdout.")
@click.option("--junit", "junit_file", type=click.Path(dir_okay=False), help="Write JUnit XML.")
@click.option(
    "--report",
    "report_dir",
    type=click.Path(file_okay=False),
    help="Write the merged report folder.",
)
@click.option("-v", "--verbose", count=True, help="Tracebacks on errors.")
def audit_merge(
    folders: tuple[str, ...],
    json_mode: bool,
    junit_file: str | None,
    report_dir: str | None,
    verbose: int,
) -> None:
    """Combine the --report folders of sharded audits into one result."""
    setup_logging(verbose, False, json_mode)

    def body() -> int:
        from pathlib import Path

        from ..audit import merge

        result = merge([Path(f) for f in folders])
        return _finish_audit(
            result, Path(report_dir) if report_dir else None, junit_file, json_mode, False, None
        )

    run_command(body, verbose=verbose, json_mode=json_mode)


@contextmanager
def _app_output(json_mode: bool) -> Iterator[None]:
    """With --json, whatever the audited app prints goes to stderr: stdout is the document."""
    if not json_mode:
        yield
        return
    from ..serve.userapp import stdout_to_stderr

    with stdout_to_stderr():
        yield


def _finish_audit(
    result: Any,
    report_dir: Any,
    junit_file: str | None,
    json_mode: bool,
    quiet: bool,
    template_root: str | None,
) -> int:
    """Write the audit's files, print its table (or JSON) and return its exit code."""
    from pathlib import Path

    from ..audit.outputs import write_outputs
    from ..audit.summary import failures, table_rows

    out = make_console(stderr=json_mode)
    if not out.is_terminal:
        out.width = 160  # logs and CI: do not squeeze the table into 80 columns
    page = write_outputs(
        result,
        report_dir=report_dir,
        junit_file=Path(junit_file) if junit_file else None,
        echo=(lambda line: out.print(line, markup=False, highlight=False)),
        template_root=template_root,
    )
    if json_mode:
        click.echo(json.dumps(result.doc, indent=2, sort_keys=True))
        return int(result.exit_code)
    from rich.table import Table

    doc = result.doc
    rows = table_rows(doc)
    if not quiet:
        table = Table(
            title=f"assetpipe audit · {doc['profile']} · median of {doc['runs']} "
            f"run(s) · shard {doc['shard']}",
            title_justify="left",
        )
        for i, head in enumerate(rows[0]):
            table.add_column(head, justify="left" if i < 2 else "right")
        for row in rows[1:]:
            style = "green" if row[1] == "pass" else "red"
            table.add_row(*row, style=None if row[1] == "pass" else style)
        out.print(table)
    for level, path, message in failures(doc):
        colour = "red" if level == "error" else "yellow"
        out.print(
            f"[{colour}]{'error' if level == 'error' else 'warning'}:[/] {esc(path)}: "
            f"{esc(message)}"
        )
    verdict = "[green]passed[/]" if doc["passed"] else "[red]FAILED[/]"
    where = f" · report {esc(str(page))}" if page else ""
    out.print(f"{verdict} · {len(doc['pages'])} page(s){where}")
    return int(result.exit_code)

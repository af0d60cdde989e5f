"""The command line: the only module that imports click and rich. It parses arguments, calls the
importable core, renders logs, progress and results, and maps errors to exit codes:

0 ok · 1 the work failed · 2 usage or config error · 3 a required tool could not run.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import click

from ._version import __version__
from .errors import AssetpipeError
from .progress import NullProgress

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_TOOL = 0, 1, 2, 3


def _console(stderr: bool = True) -> Any:
    from rich.console import Console

    no_color = bool(os.environ.get("NO_COLOR"))
    return Console(stderr=stderr, no_color=no_color, highlight=False, soft_wrap=True)


class _LineHandler(logging.Handler):
    """Renders core log records as plain lines on stderr: ``warning: FILE:LINE: what``,
    ``error: ...``; info as is; debug dimmed. Colour only on a terminal without NO_COLOR."""

    STYLES: ClassVar[dict[int, tuple[str, str]]] = {
        logging.WARNING: ("warning:", "yellow"),
        logging.ERROR: ("error:", "bold red"),
        logging.CRITICAL: ("error:", "bold red"),
    }

    def __init__(self) -> None:
        super().__init__()
        self.console = _console()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = _esc(record.getMessage())
            if record.exc_info and record.levelno >= logging.ERROR:
                import traceback

                text += "\n" + _esc("".join(traceback.format_exception(*record.exc_info)))
            prefix = self.STYLES.get(record.levelno)
            if prefix:
                self.console.print(f"[{prefix[1]}]{prefix[0]}[/] {text}")
            elif record.levelno <= logging.DEBUG:
                self.console.print(f"[dim]{text}[/]")
            else:
                self.console.print(text)
        except Exception:
            self.handleError(record)


def _setup_logging(verbose: int, quiet: bool, json_mode: bool) -> None:
    level = logging.WARNING if quiet or json_mode else (logging.DEBUG if verbose else logging.INFO)
    handler = _LineHandler()
    root = logging.getLogger("assetpipe")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def report_error(err: AssetpipeError, json_mode: bool) -> int:
    """Print an error as ``error: FILE:LINE:COL: what`` + optional ``hint:`` lines (stderr);
    with ``--json`` also one JSON document on stdout. Returns the exit code."""
    console = _console()
    for line, hint in err.lines():
        console.print(f"[bold red]error:[/] {_esc(line)}")
        if hint:
            console.print(f"[cyan]hint:[/] {_esc(hint)}")
    if json_mode:
        doc = {
            "ok": False,
            "exit_code": err.exit_code,
            "errors": [{"message": line, "hint": hint} for line, hint in err.lines()],
        }
        click.echo(json.dumps(doc, indent=2, sort_keys=True))
    return err.exit_code


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def run_command(fn: Callable[[], int], *, verbose: int, json_mode: bool) -> None:
    """Run a command body, mapping ``AssetpipeError`` to its exit code (traceback only with
    ``-v``), and Ctrl-C to 130."""
    try:
        code = fn()
    except AssetpipeError as err:
        if verbose:
            logging.getLogger("assetpipe").exception("traceback")
        code = report_error(err, json_mode)
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)


class _BarProgress:
    """Renders core progress as a rich progress bar (stderr, TTY only)."""

    def __init__(self, progress: Any) -> None:
        self.p = progress
        self.tasks: dict[str, Any] = {}

    def start(self, stage: str, total: int) -> None:
        if total > 1:
            self.tasks[stage] = self.p.add_task(stage, total=total)

    def advance(self, stage: str, n: int = 1) -> None:
        if stage in self.tasks:
            self.p.advance(self.tasks[stage], n)

    def finish(self, stage: str) -> None:
        task = self.tasks.pop(stage, None)
        if task is not None:
            self.p.remove_task(task)


class _LineProgress(NullProgress):
    """Renders core progress as one line per finished stage (stderr): for CI logs and pipes."""

    def __init__(self, console: Any) -> None:
        self.console = console

    def done(self, stage: Any) -> None:
        if stage.idle:
            return
        self.console.print(_esc(stage.line()))
        self.console.file.flush()


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Any]:
    """A ``Progress`` for the core: a live bar when enabled and both stdout and stderr are
    terminals, else a line per stage as it finishes."""

    console = _console()
    if not enabled:
        yield NullProgress()
        return
    if not (console.is_terminal and sys.stdout.isatty()):
        yield _LineProgress(console)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("{task.description:>10}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    ) as p:
        yield _BarProgress(p)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="assetpipe")
def cli() -> None:
    """Build, watch, serve and audit the frontend assets of a server-rendered web app."""


CONFIG_OPTION = click.option(
    "--config",
    "config_path",
    default="pipeline.yaml",
    show_default=True,
    help="Path to pipeline.yaml.",
)


@cli.command()
@click.argument("folder", default=".", type=click.Path(file_okay=False, exists=True))
@click.option(
    "--config",
    "config_name",
    default="pipeline.yaml",
    show_default=True,
    help="Name of the config file to write in FOLDER.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing config file.")
@click.option("-v", "--verbose", count=True, help="Tracebacks on errors.")
def init(folder: str, config_name: str, force: bool, verbose: int) -> None:
    """Look at a Flask project and write a commented pipeline.yaml that builds it."""
    _setup_logging(verbose, False, False)

    def body() -> int:
        from pathlib import Path

        from .adopt import APP_LINES
        from .adopt import init as run_init

        result = run_init(Path(folder), config_name=config_name, force=force)
        p = result.project
        click.echo(
            f"wrote {result.path} (source: {os.path.relpath(p.static_dir)}, "
            f"{p.templates} template(s), {len(p.scripts)} script(s) "
            f"({len(p.classic)} classic), {len(p.styles)} stylesheet(s), "
            f"{len(p.image_dirs)} image folder(s))"
        )
        click.echo(f"\nAdd these two lines {result.where}:\n")
        for line in APP_LINES:
            click.echo(f"    {line}")
        click.echo("\nthen run `assetpipe build` and start your app as usual.")
        return 0

    run_command(body, verbose=verbose, json_mode=False)


@cli.command()
@CONFIG_OPTION
@click.option("--clean", is_flag=True, help="Empty the cache first.")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings.")
@click.option(
    "--profile",
    type=click.Choice(["production", "development"]),
    default="production",
    show_default=True,
)
@click.option("-v", "--verbose", count=True, help="More output; tracebacks on errors.")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")
@click.option("--json", "json_mode", is_flag=True, help="Print one JSON document on stdout.")
def build(
    config_path: str,
    clean: bool,
    strict: bool,
    profile: str,
    verbose: int,
    quiet: bool,
    json_mode: bool,
) -> None:
    """Build the site: images, scripts, styles, static files, templates, manifest."""
    _setup_logging(verbose, quiet, json_mode)

    def body() -> int:
        from .build.pipeline import build as run_build
        from .config import load_config

        cfg = load_config(config_path)
        with progress_bar(not quiet and not json_mode) as prog:
            result = run_build(cfg, clean=clean, strict=strict, profile=profile, progress=prog)
        if json_mode:
            click.echo(json.dumps(result.to_json(), indent=2, sort_keys=True))
        elif not quiet:
            _print_summary(result)
        return EXIT_OK

    run_command(body, verbose=verbose, json_mode=json_mode)


@cli.command()
@CONFIG_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Dev server address.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Dev server port (0: any free port).",
)
@click.option(
    "--no-serve",
    is_flag=True,
    help="Serve only the live-reload stream (for your own app's AssetMiddleware).",
)
@click.option(
    "--app",
    "app_spec",
    metavar="MODULE:APP",
    help="Render pages through your own WSGI app (imported in-process).",
)
@click.option(
    "--poll", is_flag=True, help="Poll the file system (Docker, WSL, network file systems)."
)
@click.option("-v", "--verbose", count=True, help="More output; tracebacks on errors.")
def watch(
    config_path: str,
    host: str,
    port: int,
    no_serve: bool,
    app_spec: str | None,
    poll: bool,
    verbose: int,
) -> None:
    """Rebuild on save (development profile), serve with live reload; Ctrl-C stops."""
    _setup_logging(verbose, False, False)

    def body() -> int:
        import signal
        import time

        from .dev.watch import Watcher
        from .errors import UsageError

        console = _console()

        def show(kind: str, text: str, hint: str | None) -> None:
            stamp = time.strftime("%H:%M:%S")
            if kind == "error":
                console.print(f"[dim]{stamp}[/] [bold red]error:[/] {_esc(text)}")
                if hint:
                    console.print(f"[cyan]hint:[/] {_esc(hint)}")
            else:
                console.print(f"[dim]{stamp}[/] {_esc(text)}")

        def stop(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        watcher = Watcher(
            config_path,
            host=host,
            port=port,
            serve=not no_serve,
            poll=poll or None,
            on_line=show,
            app=app_spec,
        )
        try:
            try:
                watcher.start()
            except OSError as exc:
                raise UsageError(
                    f"cannot serve on {host}:{port}: {exc.strerror or exc}",
                    hint="choose another --port (0 picks a free one)",
                ) from exc
            where = (
                f"serving {watcher.url}" if not no_serve else f"live reload at {watcher.events_url}"
            )
            console.print(f"watching {_esc(str(watcher.config.source))} · {where} · Ctrl-C stops")
            watcher.wait()
        except KeyboardInterrupt:
            pass
        finally:
            watcher.close()
        return EXIT_OK

    run_command(body, verbose=verbose, json_mode=False)


@cli.command()
@CONFIG_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on.",
)
@click.option("-v", "--verbose", count=True, help="More output; tracebacks on errors.")
def serve(config_path: str, host: str, port: int, verbose: int) -> None:
    """Serve the built public/ and the rendered pages on uvicorn (production-like)."""
    _setup_logging(verbose, False, False)

    def body() -> int:
        from .config import load_config
        from .serve.server import serve as run_server

        run_server(
            load_config(config_path), host, port, log_level="debug" if verbose > 1 else "info"
        )
        return EXIT_OK

    run_command(body, verbose=verbose, json_mode=False)


@cli.group(invoke_without_command=True)
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
    type=click.Choice(["observed", "cpu"]),
    default="observed",
    show_default=True,
    help="cpu: TBT from thread CPU time (steadier on busy hosts).",
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
    mode: str,
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
    _setup_logging(verbose, quiet, json_mode)

    def body() -> int:
        from pathlib import Path

        from .audit import AuditOptions, parse_shard, run_audit
        from .audit.standalone import load_for_audit
        from .errors import UsageError

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
    _setup_logging(verbose, False, json_mode)

    def body() -> int:
        from pathlib import Path

        from .audit import merge

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
    from .serve.userapp import stdout_to_stderr

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

    from .audit.outputs import write_outputs
    from .audit.summary import failures, table_rows

    out = _console(stderr=json_mode)
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
            f"[{colour}]{'error' if level == 'error' else 'warning'}:[/] {_esc(path)}: "
            f"{_esc(message)}"
        )
    verdict = "[green]passed[/]" if doc["passed"] else "[red]FAILED[/]"
    where = f" · report {_esc(str(page))}" if page else ""
    out.print(f"{verdict} · {len(doc['pages'])} page(s){where}")
    return int(result.exit_code)


def _print_summary(result: Any) -> None:
    console = _console()
    doc = result.to_json()
    parts = [f"{name} {s['files']} files" for name, s in doc["stages"].items() if s["files"]]
    cache = doc["cache"]
    console.print(
        f"[green]built[/] {doc['manifest_entries']} assets → {_esc(str(result.output))} in "
        f"{doc['seconds']:.2f}s ({', '.join(parts) or 'nothing written'}; cache "
        f"{cache['hits']} hits, {cache['misses']} misses"
        + (f"; {doc['retained']} retained" if doc["retained"] else "")
        + ")"
    )
    from .stages.images import summary as images_summary

    images = result.report.get("images")
    if isinstance(images, dict) and (line := images_summary(images)):
        console.print(_esc(line))
    if doc["warnings"]:
        console.print(f"[yellow]{len(doc['warnings'])} warning(s)[/]")


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="assetpipe")

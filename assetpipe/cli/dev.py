"""``assetpipe watch`` (rebuild on save, dev server) and ``assetpipe serve`` (production-like)."""

from __future__ import annotations

from typing import Any

import click

from .common import EXIT_OK, esc, make_console, run_command, setup_logging
from .options import CONFIG_OPTION


@click.command()
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
    setup_logging(verbose, False, False)

    def body() -> int:
        import signal
        import time

        from ..dev.watch import Watcher
        from ..errors import UsageError

        console = make_console()

        def show(kind: str, text: str, hint: str | None) -> None:
            stamp = time.strftime("%H:%M:%S")
            if kind == "error":
                console.print(f"[dim]{stamp}[/] [bold red]error:[/] {esc(text)}")
                if hint:
                    console.print(f"[cyan]hint:[/] {esc(hint)}")
            else:
                console.print(f"[dim]{stamp}[/] {esc(text)}")

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
            console.print(f"watching {esc(str(watcher.config.source))} · {where} · Ctrl-C stops")
            watcher.wait()
        except KeyboardInterrupt:
            pass
        finally:
            watcher.close()
        return EXIT_OK

    run_command(body, verbose=verbose, json_mode=False)


@click.command()
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
    setup_logging(verbose, False, False)

    def body() -> int:
        from ..config import load_config
        from ..serve.server import serve as run_server

        run_server(
            load_config(config_path), host, port, log_level="debug" if verbose > 1 else "info"
        )
        return EXIT_OK

    run_command(body, verbose=verbose, json_mode=False)

"""The site under audit, served on 127.0.0.1 over a real socket (a free port).

Three sources: the config's ``pages:``, served exactly as ``assetpipe serve`` serves
them (``assetpipe.serve.server.make_app``: the ASGI ``AssetMiddleware`` over the rendered pages,
on uvicorn); the user's own app (``--app module:app``, imported in-process: an ASGI app is wrapped
in the ASGI ``AssetMiddleware``, a WSGI app goes through serve's WSGI bridge first); or an
already running site (``--base-url``, nothing served here). So the audit sees the headers
production sends: precompressed encodings, year-long immutable caching of hashed files (which the
repeat view depends on), HTTP/1.1 keep-alive.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from ..config import Config
from ..errors import UsageError
from ..serve.pages import require_templates
from ..serve.sockets import listening_socket
from ..serve.userapp import RenderErrors, import_app, is_asgi, prepare_app

log = logging.getLogger("assetpipe.audit")


def make_asgi(config: Config, app_spec: str | None) -> Any:
    """The ASGI app to serve: pages (as ``assetpipe serve``) or the user's app, in the serving
    middleware."""
    from ..serve.asgi import AssetMiddleware
    from ..serve.server import WSGIBridge, make_app

    global _errors
    _errors = None
    if not app_spec:
        require_templates(config)
        return make_app(config)
    app = prepare_app(import_app(app_spec, config.root), config.path)
    warn_server_name(app)
    if not is_asgi(app):
        _errors = RenderErrors(app, _report)
        app = WSGIBridge(_errors)
    # a path the build lacks goes on to the app, as in production (``AssetPipe(app)``) and
    # under ``watch --app``: with ``public_path: "/"`` (Flask's ``static_url_path=""``) every
    # page is below it, and without the fallback each one was this layer's 404
    return AssetMiddleware(
        app,
        config.output,
        config.public_path,
        source_paths=config.serve.source_paths,
        fallback=True,
    )


_errors: RenderErrors | None = None  # the app being audited (one at a time)


def warn_server_name(app: Any) -> None:
    """Log a warning when the app names the host it serves (Flask's ``SERVER_NAME``): the audit
    serves it on 127.0.0.1 at a free port, and an app that answers only its own host (Indico
    sets ``SERVER_NAME`` from its ``BASE_URL`` and answers any other host with a 404 page) is
    then reported "HTTP 404 Not Found" on every page, with no word of why."""
    config = getattr(app, "config", None)
    name = config.get("SERVER_NAME") if isinstance(config, dict) else None
    if name:
        log.warning(
            "the app's SERVER_NAME is %r, and the audit serves it on 127.0.0.1 at a free port: "
            "an app that answers only its own host gives every page a 404 there; audit the "
            "app running at that address instead (`--base-url http://%s`)",
            name,
            name,
        )


def app_error(path: str, message: str) -> str:
    """An errored page's message with the audited app's own error when it has one (the
    exception and where it was raised), e.g. ``HTTP 500 ...; the app's error: KeyError ...``."""
    summary = _errors.summary(path) if _errors is not None else None
    return f"{message}; the app's error: {summary}" if summary else message


def _report(text: str, hint: str | None) -> None:
    log.warning("%s%s", text, f"\nhint: {hint}" if hint else "")


@contextmanager
def serve_asgi(app: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on 127.0.0.1 (a free port) in a thread; yields its URL.

    The app's lifespan runs as under ``uvicorn app:app`` (``auto``: started before the first
    request when the app speaks the protocol): LNbits adds its routes in its FastAPI lifespan,
    and with it off every page answered 404. A startup the app reports failed is an error."""
    import uvicorn

    sock = listening_socket("127.0.0.1", 0)  # TCP_NODELAY: no delayed-ACK stalls in timings
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            app, log_level="warning", lifespan="auto", access_log=False, server_header=False
        )
    )

    def run() -> None:
        with suppress(SystemExit):  # uvicorn's exit on a failed startup: raised below instead
            server.run(sockets=[sock])

    thread = threading.Thread(target=run, name="assetpipe-audit-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    if not server.started:
        sock.close()
        if getattr(getattr(server, "lifespan", None), "startup_failed", False):
            raise UsageError(
                "the app's lifespan startup failed: the audit server did not start",
                hint="its error is logged above; the app must start under `uvicorn` as it is",
            )
        raise UsageError("could not start the audit server on 127.0.0.1")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()


def prepare_site(
    config: Config, *, app_spec: str | None = None, base_url: str | None = None
) -> str | Any:
    """The site to audit: ``base_url`` (checked) or the ASGI app to serve.

    Raises the user's own errors (exit 2: a URL that is not http(s), no build yet, a page
    without a template, an app that does not import) without looking for a browser, so the
    audit reports them first on any machine, with or without Chromium.
    """
    if base_url:
        if not base_url.startswith(("http://", "https://")):
            raise UsageError(f"--base-url: expected an http(s) URL, got {base_url!r}")
        return base_url.rstrip("/")
    if not (config.output / "manifest.json").is_file():
        raise UsageError(
            f"no build at '{config.output}' (manifest.json missing)",
            hint="run `assetpipe build` first",
        )
    warn_development_build(config)
    return make_asgi(config, app_spec)


def warn_development_build(config: Config) -> None:
    """Log a warning when the build about to be audited is a development one (``assetpipe
    watch``'s, or ``build --profile development``): unminified and not precompressed, its bytes
    and timings are not what production serves (a real app's pages read 457 KiB against 77)."""
    import json

    try:
        profile = json.loads((config.output / "report.json").read_text()).get("profile")
    except (OSError, ValueError, AttributeError):
        return
    if profile == "development":
        log.warning(
            "auditing a development build in '%s' (unminified, not precompressed: "
            "`assetpipe watch` or `build --profile development` wrote it); run `assetpipe "
            "build` first for the figures production serves",
            config.output,
        )


@contextmanager
def serve_site(
    config: Config,
    *,
    app_spec: str | None = None,
    base_url: str | None = None,
    site: str | Any = None,
) -> Iterator[str]:
    """Yield the base URL of the site to audit, serving it for the duration when needed
    (``site``: what ``prepare_site`` returned, else it is prepared here)."""
    if site is None:
        site = prepare_site(config, app_spec=app_spec, base_url=base_url)
    if isinstance(site, str):
        yield site
        return
    with serve_asgi(site) as url:
        yield url

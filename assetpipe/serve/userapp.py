"""The user's own app, rendering pages for ``assetpipe watch --app`` and ``assetpipe audit --app``.

- ``import_app("package.module:app", root)`` imports a WSGI or ASGI app in-process (the config's
  folder and the working directory on ``sys.path``, and for a module in a package the folder
  above the package, as ``flask --app`` does: ``package_import``; a zero-argument factory is
  called, one that needs arguments is a ``UsageError`` naming them, not a WSGI app called per
  request; ``module:create_app("production")`` calls the factory with those literal
  arguments, as ``flask --app`` and gunicorn read the same string: ``factory_call``). A Flask
  app without the extension gets ``AssetPipe(app, config=...)`` (``prepare_app``), so it renders
  the rewritten templates of the build being served. A Django project's, with ``DEBUG`` on,
  answers the static files the build lacks from its staticfiles finders, as ``manage.py
  runserver`` does (``assetpipe.django.runserver_static``).
- ``RenderErrors`` wraps the page app (WSGI or ASGI): a page answered with a 5xx (or an exception)
  is reported once per path and status through ``report(text, hint)`` with the app's own error:
  the head of the traceback (for Flask, taken from ``got_request_exception``) or of the body —
  not a bare "HTTP 500".
- ``forget_templates()`` (from ``serve.forget``) empties a Django project's template caches,
  and those of the Jinja2 environments that never look at their templates again (Trac's), after
  a build (``watch --app``).
- ``stdout_to_stderr()`` sends everything written to standard output (``print`` in the app, in
  any thread, and file descriptor 1) to standard error while it is active, so ``--json`` leaves
  one JSON document on stdout.
"""

from __future__ import annotations

import ast
import html
import importlib
import importlib.util
import inspect
import logging
import os
import sys
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import UsageError
from .forget import forget_templates as forget_templates

log = logging.getLogger("assetpipe")
Report = Callable[[str, "str | None"], None]
ERROR_KEY = "assetpipe.app_error"
HEAD_LINES = 12
TEMPLATE_HINT = (
    "the page's template needs the app (current_user, its filters, its context): "
    "render pages through it with --app MODULE:APP"
)
APP_HINT = (
    "fix the error above in your app (it is the app's own response); run the app by "
    "itself to debug it, e.g. `flask --app MODULE run --debug` or `manage.py runserver`"
)


def package_import(module_name: str, folder: Path) -> tuple[str, Path] | None:
    """As ``flask --app`` finds a module: when ``module_name``'s file is in ``folder`` and
    ``folder`` is a package (an ``__init__.py``, and so on up), the module's full dotted name
    and the folder above the outermost package, which goes on ``sys.path``. Flask-Admin's
    examples run ``examples/bootstrap4/main.py``, which imports ``examples.bootstrap4.data``:
    imported as ``main`` from its own folder it failed (``No module named 'examples'``).
    ``None`` when the module is not there, its folder is no package, or the module imports
    nothing through the package (no relative import, none of the outermost package's name):
    it is imported by the name given, as gunicorn imports it from the working folder. Spirit's
    ``startproject mysite`` writes ``mysite/__init__.py`` beside ``manage.py`` and the
    package ``mysite/mysite/``: ``--app mysite.wsgi:application`` was imported as
    ``mysite.mysite.wsgi`` with the folder above first on ``sys.path``, where ``mysite`` is the
    project folder, and Django's ``mysite.settings.dev`` was not found."""
    parts = module_name.split(".")
    target = folder.joinpath(*parts)
    source = target.with_suffix(".py") if target.with_suffix(".py").is_file() else None
    if source is None and not (target / "__init__.py").is_file():
        return None
    above = folder
    while (above / "__init__.py").is_file() and above.name.isidentifier():
        parts.insert(0, above.name)
        above = above.parent
    if above == folder or not _imports_through(source or target / "__init__.py", parts[0]):
        return None
    return ".".join(parts), above


def _imports_through(module: Path, top: str) -> bool:
    """Whether ``module`` imports relatively or names the package ``top`` in an import (``from
    examples.bootstrap4.data import ...``); ``True`` when it cannot be read or parsed."""
    try:
        tree = ast.parse(module.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return True
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level or (node.module or "").split(".")[0] == top:
                return True
        elif isinstance(node, ast.Import) and any(a.name.split(".")[0] == top for a in node.names):
            return True
    return False


def monkey_patched() -> str | None:
    """``gevent`` or ``eventlet`` when either has monkey-patched this process (the standard
    library's threads and locks are theirs now), else ``None``; neither is imported here."""
    gevent = sys.modules.get("gevent.monkey")
    if gevent is not None and gevent.is_anything_patched():
        return "gevent"
    eventlet = sys.modules.get("eventlet.patcher")
    if eventlet is not None and eventlet.is_monkey_patched("thread"):
        return "eventlet"
    return None


def refuse_unfit(module_name: str) -> None:
    """``UsageError`` when the module (not yet imported) monkey-patches or starts a server at
    its top level (``adopt.appspec.unfit_call``): imported into this process, gevent's
    ``patch_all()`` broke the dev server's running thread (pywb's WSGI module: "cannot
    release un-acquired lock"), and ``serve_forever()`` never returned."""
    from ..adopt.appspec import unfit_call

    try:
        spec = importlib.util.find_spec(module_name)
    except (ImportError, ValueError):
        return  # import_module says what is missing
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return
    origin = Path(spec.origin)
    found = unfit_call(origin)
    if found is not None:
        line, name = found
        raise UsageError(
            f"--app: {origin}:{line} calls {name}() when imported (monkey patching, or a "
            "server started): assetpipe imports the app into its own process, where that "
            "cannot run",
            hint="name a module that only makes the app (the same app, without that call: "
            "the WSGI server's own monkey patching stays in the module it runs)",
        )


def import_app(spec: str, root: Path) -> Any:
    """Import ``package.module:attribute``; ``UsageError`` naming what is missing."""
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise UsageError(f"--app: expected 'module:attribute', got {spec!r}")
    folders = [Path.cwd(), root]
    for folder in (root, Path.cwd()):
        found = package_import(module_name, folder)
        if found is not None:
            module_name, above = found
            folders.append(above)
            break
    for path in map(str, folders):
        if path not in sys.path:
            sys.path.insert(0, path)
    refuse_unfit(module_name)
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise UsageError(f"--app: cannot import module '{module_name}': {exc}") from exc
    except RuntimeError:  # the import lock, patched while held: "cannot release un-acquired lock"
        if monkey_patched() is None:
            raise
    patcher = monkey_patched()
    if patcher is not None:
        raise UsageError(
            f"--app: importing '{module_name}' monkey-patched this process ({patcher}: a module "
            "it imports patches on import, as pywb's FrontEndApp does): assetpipe serves and "
            "measures in threads of its own, which that breaks",
            hint="run the app with its own server (gunicorn) and use `assetpipe watch "
            "--no-serve` beside it, or `assetpipe audit --base-url URL` against it",
        )
    attr, call = factory_call(attr, spec)
    obj: Any = module
    for part in attr.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            raise UsageError(f"--app: module '{module_name}' has no attribute '{attr}'")
    if call is not None:
        if not callable(obj):
            raise UsageError(f"--app: '{module_name}:{attr}' is not a function to call")
        obj = obj(*call[0], **call[1])
    elif inspect.isfunction(obj) and not is_asgi(obj):
        required = [
            p.name
            for p in inspect.signature(obj).parameters.values()
            if p.default is inspect.Parameter.empty
            and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]
        if not required:
            obj = obj()
        elif len(required) != 2:  # a WSGI app takes (environ, start_response)
            raise UsageError(
                f"--app: '{spec}' is a function of ({', '.join(required)}): an app factory "
                "that needs arguments, neither an app nor a zero-argument factory",
                hint="give its arguments as `flask --app` and gunicorn take them (e.g. "
                f"'{module_name}:{attr}(\"production\")'), or name a module variable that holds "
                "the app it returns (e.g. run:app for `app = create_app(config)` in run.py)",
            )
    if not callable(obj):
        raise UsageError(f"--app: '{spec}' is not a WSGI or ASGI application")
    return obj


def factory_call(attr: str, spec: str) -> tuple[str, tuple[list[Any], dict[str, Any]] | None]:
    """Split ``create_app("production", debug=False)`` into the dotted name to look up and the
    literal positional and keyword arguments to call it with, as ``flask --app`` and gunicorn
    read ``module:create_app(...)`` (flask-base's ``create_app(config)``: the string that runs it
    under gunicorn named no attribute here). A plain name gives ``(attr, None)``; arguments
    that are not literals, or a call of something other than a (dotted) name, are a
    ``UsageError``."""
    if "(" not in attr:
        return attr, None
    try:
        node = ast.parse(attr.strip(), mode="eval").body
    except SyntaxError as exc:
        raise UsageError(f"--app: cannot parse {attr!r} in {spec!r}: {exc.msg}") from exc
    if not isinstance(node, ast.Call) or not _dotted(node.func):
        raise UsageError(f"--app: {spec!r}: expected 'module:factory(arguments)'")
    try:
        args = [ast.literal_eval(a) for a in node.args]
        kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg is not None}
    except ValueError as exc:
        raise UsageError(
            f"--app: {spec!r}: the factory's arguments must be literal values"
            " (strings, numbers, lists...), as for `flask --app`"
        ) from exc
    if len(kwargs) != len(node.keywords):  # **mapping
        raise UsageError(f"--app: {spec!r}: the factory's arguments must be literal values")
    return ast.unparse(node.func), (args, kwargs)


def _dotted(node: ast.expr) -> bool:
    """Whether ``node`` is a name or an attribute chain of names (``create_app``,
    ``factories.create_app``)."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def is_asgi(app: Any) -> bool:
    """An ``async def app(scope, receive, send)`` or an object with an async ``__call__``."""
    call = getattr(app, "__call__", None)  # noqa: B004 - instances with an async __call__
    return inspect.iscoroutinefunction(app) or inspect.iscoroutinefunction(call)


def prepare_app(app: Any, config_path: Path) -> Any:
    """A Flask or Quart app without ``AssetPipe`` gets it (this config), so its pages render
    the build's templates; returns the callable to serve. Exceptions in a Flask app's views are
    recorded for ``RenderErrors``. A Django project with ``DEBUG`` on serves static files as
    ``runserver`` does (``assetpipe.django.runserver_static``)."""
    from ..flasknames import is_quart

    extensions = getattr(app, "extensions", None)
    quart = is_quart(app)
    if not (
        isinstance(extensions, dict)
        and hasattr(app, "jinja_env")
        and (quart or hasattr(app, "wsgi_app"))
    ):  # neither Flask nor Quart: a Django project's (a Flask app in a process that imported
        # Django, another test's, was wrapped as one and rendered its source templates)
        if "django.conf" in sys.modules and not is_asgi(app):
            from ..django import runserver_static

            return runserver_static(app)
        return app
    if "assetpipe" not in extensions:
        from ..flask import AssetPipe

        AssetPipe(app, config=config_path)
    if quart:
        return app
    try:
        from flask import got_request_exception, request
    except ImportError:  # pragma: no cover - a Flask-like app without Flask
        return app

    def record(sender: Any, exception: BaseException, **extra: Any) -> None:
        request.environ[ERROR_KEY] = _head(exception)

    got_request_exception.connect(record, app, weak=False)
    return app


def _head(exc: BaseException) -> str:
    """The exception and the app's innermost frames (library frames left out when the app has
    some: the user's module and templates say where to look)."""
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if not any(part in f.filename for part in _LIBRARY)] or frames
    lines = [
        "Traceback (most recent call last; the app's frames):\n",
        *traceback.format_list(own[-3:]),
        *traceback.format_exception_only(exc),
    ]
    return "\n".join("".join(lines).rstrip().splitlines()[-HEAD_LINES * 2 :])


_LIBRARY = ("site-packages", "dist-packages", f"{os.sep}lib{os.sep}python")
#: how much of an error page ``_body_head`` reads
_ERROR_PAGE_READ = 256 * 1024


def _body_head(body: bytes) -> str:
    """The first lines of an error page's text, entities decoded, its scripts and styles taken
    out first (a Django debug page opens with 6 KB of them: cut at 4,000 bytes, its unclosed
    script's code was reported as Kiwi TCMS's error, and the exception never)."""
    import re

    text = body[:_ERROR_PAGE_READ].decode("utf-8", "replace")
    text = re.sub(r"<(script|style)\b.*?(?:</\1\s*>|\Z)", " ", text, flags=re.S | re.I)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join([line for line in lines if line][:HEAD_LINES]) or "(empty body)"


class RenderErrors:
    """WSGI wrapper: report the app's 5xx pages and exceptions (module doc). ``hint`` is
    ``TEMPLATE_HINT`` for assetpipe's own page renderer, ``APP_HINT`` for the user's app."""

    def __init__(
        self, app: Callable[..., Iterable[bytes]], report: Report, hint: str = APP_HINT
    ) -> None:
        self.app = app
        self.report = report
        self.hint = hint
        self._seen: set[tuple[str, int]] = set()
        self._lock = threading.Lock()
        #: path → the app's error on its last failure (``summary`` gives one line of it)
        self.errors: dict[str, str] = {}

    def _once(self, path: str, status: int, detail: str) -> None:
        with self._lock:
            self.errors[path] = detail
            if (path, status) in self._seen:
                return
            self._seen.add((path, status))
        self.report(f"GET {path}: the app answered {status}:\n{detail}", self.hint)

    def summary(self, path: str) -> str | None:
        """One line for reports: the exception and the app's innermost frame
        (``ZeroDivisionError: division by zero (shop.py:16, in broken)``), or the head of the
        error page; ``None`` when the path has not failed."""
        detail = self.errors.get(path)
        if detail is None:
            return None
        import re

        lines = [line for line in detail.splitlines() if line.strip()]
        frames = [
            m for line in lines if (m := re.match(r'\s*File "(.+)", line (\d+), in (.+)', line))
        ]
        if not frames:
            return lines[0][:200] if lines else None
        file, line, func = frames[-1].groups()
        return f"{lines[-1].strip()[:200]} ({os.path.basename(file)}:{line}, in {func})"

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        state: dict[str, int] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            state["status"] = int(status[:3])
            return start_response(status, headers, exc_info)

        try:
            result = self.app(environ, capture)
        except Exception as exc:
            detail = _head(exc)
            self._once(path, 500, detail)
            body = f"500 Internal Server Error\n\n{detail}\n".encode()
            start_response(
                "500 Internal Server Error",
                [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
                sys.exc_info(),
            )
            return [body]
        if state.get("status", 200) < 500:
            return result
        try:
            chunks = list(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        body = b"".join(chunks)
        self._once(path, state["status"], environ.get(ERROR_KEY) or _body_head(body))
        return [body]


@contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Everything written to stdout (``sys.stdout`` and descriptor 1, from any thread) goes to
    stderr inside the block; stdout is restored after it."""
    sys.stdout.flush()
    saved_fd = os.dup(1)
    saved = sys.stdout
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        yield
    finally:
        try:
            sys.stderr.flush()
        finally:
            sys.stdout = saved
            os.dup2(saved_fd, 1)
            os.close(saved_fd)

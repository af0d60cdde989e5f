"""Starlette and FastAPI: two lines make an existing ASGI app serve its build.

    from assetpipe.starlette import AssetPipe
    AssetPipe(app, templates)     # templates: the app's Jinja2Templates, when it has one

What a Flask app gets from ``assetpipe.flask.AssetPipe``, for an app whose object is a
``Starlette`` or ``FastAPI`` (Glances' web UI builds its ``FastAPI`` inside a class, mounts
``StaticFiles`` at ``url_prefix + '/static'`` and renders with ``Jinja2Templates``):

- **the config** is found as Flask's is (``assetpipe.configfind.served_build``), from the folder of
  the module that calls ``AssetPipe`` (or ``root=``): there, its parent, the folder holding the
  outermost package, the project folder; a relative ``output`` is taken from pipeline.yaml's
  folder, as ``assetpipe build`` takes it;
- **the build is served** by ``assetpipe.serve.asgi.AssetMiddleware``, added with
  ``app.add_middleware`` (so it sits outside the middleware the app added before it: Glances'
  ``GZipMiddleware`` never recompresses a precompressed file; call it before the app adds
  middleware that must see every request, such as ``TrustedHostMiddleware``). Its URL is the
  path of the app's mount named ``static`` (a ``Mount``, ``app.mount(..., name="static")``),
  read at the first request, since the two lines may come before the app mounts it (Glances
  mounts it in ``_router()``, with its ``url_prefix``); with no such mount, the config's
  ``public_path``. A file the build lacks goes on to the app (its own ``StaticFiles``). The
  files that are not immutable (source paths, unhashed names) keep the ``Cache-Control`` that
  mount sends (``static_cache_control``): ``StaticFiles`` sends none, and the browser reuses
  such a file on a warm visit without asking; answered ``no-cache``, the starlette-admin demo's
  ``masonry.min.js`` and the admin's avatar were revalidated on every warm visit;
- **dynamic responses are compressed** (``asgi.CompressMiddleware``, brotli/zstd/gzip by the
  request's ``Accept-Encoding``, with the BREACH guard: a response that sets a cookie or says
  ``private``/``no-store`` is left alone, but for the files of a ``StaticFiles`` mounted
  anywhere in the app, ``file_mounts``: starlette-admin's sub-app adds ``SessionMiddleware``,
  which sets the session cookie on its every response, and logged in none of its 1 MB of
  Tabler, jQuery and DataTables was compressed), as ``AssetPipe(app)`` does for Flask; a response
  that already has a ``Content-Encoding`` passes, and the app's own ``GZipMiddleware`` outside
  it passes what it compressed (Glances' API JSON went out gzip; it goes out brotli now to a
  browser that asks). ``compress=False`` turns it off, ``compress_exclude`` skips path
  prefixes;
- **an installed package's ``StaticFiles`` is hashed** (``package_static``): starlette-admin's
  Tabler, jQuery and Font Awesome, named ``url_for(__name__ ~ ':statics', path=...)``, get
  hashed names, served ``immutable`` and precompressed in front of the app; ``package_static=False``
  turns it off;
- **the rewritten templates are rendered**: each of ``templates`` (a ``Jinja2Templates`` or a
  Jinja ``Environment``) gets ``assetpipe.jinja.BuildLoader`` over ``<output>/templates/`` in
  front of its own loader (which still answers what the build lacks), and the
  ``asset_url()``/``asset_tags()`` globals.

Arguments (``config``, ``output``, ``public_path``, ``source_paths``, ``root``) win over
pipeline.yaml; ``compress``, ``compress_exclude`` and ``package_static`` are arguments only.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from .configfind import served_build
from .hashed_folders_asgi import ASGIFolders
from .jinja import AssetResolver, BuildLoader, install
from .package_static import PackageStatic, static_mounts
from .serve import asgi
from .serve.holder import url_prefix

__all__ = ["AssetPipe", "file_mounts", "mount_path"]


def mount_path(app: Any, name: str = "static") -> str | None:
    """The path of ``app``'s route named ``name`` that mounts an app (``StaticFiles``), with a
    trailing slash (``/glances/static/``), or ``None``."""
    for route in getattr(app, "routes", ()):
        if getattr(route, "name", None) == name and hasattr(route, "app"):
            path = str(getattr(route, "path", "")).rstrip("/")
            return path + "/" if path else None
    return None


def file_mounts(app: Any) -> tuple[str, ...]:
    """The URL prefixes (``/admin/sqla/statics/``) of every ``StaticFiles`` (or subclass)
    mounted in ``app``, in its sub-apps' and routers' mounts too."""
    return tuple(prefix for prefix, _, _ in static_mounts(app))


def _mount_at(app: Any, public_path: str) -> Any:
    """The app of ``app``'s mount whose path is ``public_path``, or ``None``."""
    for route in getattr(app, "routes", ()):
        if hasattr(route, "app") and str(getattr(route, "path", "")).rstrip("/") + "/" == (
            public_path
        ):
            return route.app
    return None


async def static_cache_control(app: Any, public_path: str, manifest: Path) -> str | None:
    """The ``Cache-Control`` the app's own mount at ``public_path`` sends for a file of the
    build's source (the manifest's first source key, asked of the mount in process): ``""``
    when it sends none (Starlette's ``StaticFiles``), ``None`` when it cannot be asked (no
    such mount, no source file, not a 200)."""
    import json

    mounted = _mount_at(app, public_path)
    try:
        entries = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    key = next((k for k, e in entries.items() if isinstance(e, dict) and "src" in e), None)
    if mounted is None or key is None:
        return None
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/" + key,
        "raw_path": ("/" + key).encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [],
        "http_version": "1.1",
        "scheme": "http",
    }
    got: dict[str, Any] = {}
    sent, asked = asyncio.Event(), [False]

    async def receive() -> dict[str, Any]:
        if not asked[0]:  # the request, then a disconnect once the answer is sent
            asked[0] = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await sent.wait()
        return {"type": "http.disconnect"}

    async def send(message: Any) -> None:
        if message["type"] == "http.response.start":
            got.update(message)
        elif not message.get("more_body"):
            sent.set()

    try:
        await asyncio.wait_for(mounted(scope, receive, send), 10)
    except Exception:  # a mount that cannot answer out of a real request
        return None
    if got.get("status") != 200:
        return None
    headers = {bytes(k).lower(): bytes(v) for k, v in got.get("headers", ())}
    return headers.get(b"cache-control", b"").decode("latin-1")


class AssetPipe:
    """Serve the build from an ASGI app and render its rewritten templates (see the module
    docstring). ``templates``: one ``Jinja2Templates`` (or ``Environment``) or several."""

    def __init__(
        self,
        app: Any,
        templates: Any = None,
        *,
        config: str | Path | None = None,
        output: str | Path | None = None,
        public_path: str | None = None,
        source_paths: bool | None = None,
        root: str | Path | None = None,
        compress: bool = True,
        compress_exclude: tuple[str, ...] = (),
        package_static: bool = True,
    ) -> None:
        found = served_build(
            root, config=config, output=output, public_path=public_path, source_paths=source_paths
        )
        self.config_path, cfg, self.output = found.config_path, found.config, found.output
        self.public_path, self.source_paths = found.public_path, found.source_paths
        self.app = app
        self.compress, self.compress_exclude = compress, tuple(compress_exclude)
        self.package_static = package_static
        self._envs: list[Any] = []
        self.resolvers: list[AssetResolver] = []
        envs = templates if isinstance(templates, (list, tuple)) else [templates]
        for t in envs:
            if t is not None:
                self._envs.append(getattr(t, "env", t))
                self.resolvers.append(self._templates(self._envs[-1], cfg))
        self._named_mount = public_path is None
        app.add_middleware(_Middleware, pipe=self)

    def _templates(self, env: Any, cfg: Any) -> AssetResolver:
        import jinja2

        env.loader = jinja2.ChoiceLoader([BuildLoader(self.output), env.loader])
        return install(
            env,
            self.output / "manifest.json",
            self.public_path,
            integrity=cfg.templates.integrity,
        )

    async def middleware(self, inner: Any) -> Any:
        """The layers in front of ``inner``, made when the app has its routes: the build is
        served at the mount named ``static`` (``mount_path``) when the app has one, else at
        ``public_path``, its files that are not immutable under the ``Cache-Control`` of the
        app's mount there (``static_cache_control``); the hashed files of the app's
        installed packages' ``StaticFiles`` mounts (``package_static``) are answered unless
        ``package_static`` is off; the rest is compressed unless ``compress`` is off."""
        if self._named_mount:
            self.public_path = mount_path(self.app) or self.public_path
            for r in self.resolvers:
                r.public_path = self.public_path
        manifest = self.output / "manifest.json"
        control = await static_cache_control(self.app, self.public_path, manifest)
        if self.package_static:
            found = PackageStatic(self.app, self.public_path, self._envs)
            inner = ASGIFolders(inner, found) if found.folders() else inner
        layer: Any = asgi.AssetMiddleware(
            inner,
            self.output,
            self.public_path,
            source_paths=self.source_paths,
            fallback=True,
            unhashed_cache_control="no-cache" if control is None else control,
        )
        if self.compress:
            skip = (url_prefix(self.public_path), *self.compress_exclude)
            layer = asgi.CompressMiddleware(
                layer, exclude_paths=skip, breach_guard=True, file_paths=file_mounts(self.app)
            )
        return layer


class _Middleware:
    """What ``add_middleware`` instantiates: it makes the ``AssetMiddleware`` at the first
    request (Starlette builds its middleware stack then too, once the routes are in), not at
    the lifespan's start, which an app may use to mount its ``StaticFiles``."""

    def __init__(self, app: Any, pipe: AssetPipe) -> None:
        self.app, self.pipe = app, pipe
        self.layer: Any = None
        self._making: asyncio.Lock | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":  # before the app's startup has mounted what it mounts
            await self.app(scope, receive, send)
            return
        if self.layer is None:
            # requests arriving together wait for one making (it awaits the app's mount)
            self._making = self._making or asyncio.Lock()
            async with self._making:
                if self.layer is None:
                    self.layer = await self.pipe.middleware(self.app)
        await self.layer(scope, receive, send)

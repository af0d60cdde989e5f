"""``asset_url()`` and ``asset_tags()`` for any Jinja2 environment.

    from assetpipe.jinja import install
    install(env, "dist/manifest.json", public_path="/static/")

``asset_url('img/hero.jpg')`` → ``/static/img/hero-1600w-HASH.webp`` (the entry's ``file``).
``asset_tags('js/dashboard.js')`` emits, in Vite's order: a ``<link rel="stylesheet">`` for the
entry's CSS and its imported chunks' CSS, the ``<script type="module">``, then a
``<link rel="modulepreload">`` per statically imported chunk — each with ``integrity`` (SRI) and
``crossorigin`` when ``integrity=True`` (``templates.integrity``). A CSS key gives its stylesheet link. An unknown key raises ``MissingAssetError``.
The manifest is re-read when its file changes (a new build swapped in), checked at most once per
``check_interval`` seconds.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

import jinja2
from jinja2.loaders import split_template_path

from .errors import MissingAssetError
from .hashing import sri_file
from .manifest import Manifest, Stamp, stamp_of
from .textmerge import merge3


class AssetResolver:
    """Resolves manifest keys to URLs and tags; shared by the Jinja globals, Flask and pages."""

    def __init__(
        self,
        manifest_path: str | Path,
        public_path: str = "/static/",
        check_interval: float = 1.0,
        *,
        integrity: bool = False,
    ) -> None:
        self.manifest_path = Path(manifest_path)
        self.integrity = integrity
        self.public_path = public_path if public_path.endswith("/") else public_path + "/"
        self.check_interval = check_interval
        self._lock = threading.Lock()
        self._manifest = Manifest()
        self._stamp: Stamp | None = None
        self._checked = 0.0
        self._sri_memo: dict[str, str] = {}
        self._load()

    def _load(self) -> None:
        stamp = stamp_of(self.manifest_path)
        if stamp is not None and stamp != self._stamp:
            self._manifest = Manifest.read(self.manifest_path)
            self._stamp = stamp

    def refresh(self) -> None:
        """Re-read the manifest now if its file changed (a new build swapped in)."""
        with self._lock:
            self._checked = time.monotonic()
            self._load()

    @property
    def manifest(self) -> Manifest:
        now = time.monotonic()
        if now - self._checked >= self.check_interval:
            with self._lock:
                self._checked = now
                self._load()
        return self._manifest

    def entry(self, key: str) -> dict[str, Any]:
        entry = self.manifest.get(key.lstrip("/"))
        if entry is None:
            raise MissingAssetError(
                f"no asset '{key}' in {self.manifest_path}",
                hint="keys are source paths relative to `source` (e.g. 'js/dashboard.js'); "
                "run `assetpipe build` after adding a file",
            )
        return entry

    def url(self, key: str) -> str:
        """The public URL of a manifest key's ``file``."""
        return self.public_path + str(self.entry(key)["file"])

    def tags(self, *keys: str) -> str:
        """HTML for entries, in Vite's order (CSS, module scripts, modulepreloads)."""
        css: list[tuple[str, str | None]] = []
        scripts: list[tuple[str, str | None]] = []
        preloads: list[tuple[str, str | None]] = []
        seen_css: set[str] = set()
        seen_chunks: set[str] = set()
        manifest = self.manifest
        integrity_of = {e["file"]: e.get("integrity") for e in manifest.entries.values()}

        def add_css(files: list[str]) -> None:
            for f in files:
                if f not in seen_css:
                    seen_css.add(f)
                    css.append((f, integrity_of.get(f) or self._file_integrity(f)))

        def walk_imports(key: str) -> None:
            for imp in self.entry(key).get("imports", ()):
                if imp in seen_chunks:
                    continue
                seen_chunks.add(imp)
                chunk = self.entry(imp)
                add_css(chunk.get("css", []))
                preloads.append((chunk["file"], chunk.get("integrity")))
                walk_imports(imp)

        for key in keys:
            entry = self.entry(key)
            file = str(entry["file"])
            if file.endswith(".css"):
                add_css([file])
                continue
            add_css(entry.get("css", []))
            scripts.append((file, entry.get("integrity")))
            walk_imports(key)
        out = [self._tag("link", f, i, rel="stylesheet") for f, i in css]
        out += [self._tag("script", f, i, type="module") for f, i in scripts]
        out += [self._tag("link", f, i, rel="modulepreload") for f, i in preloads]
        return "\n".join(out)

    def _file_integrity(self, file: str) -> str | None:
        """SRI of a public file that has no manifest entry of its own (e.g. the CSS esbuild
        emits for a script entry: Vite's manifest lists it only in ``css``), computed once per
        file name (hashed names never change content)."""
        cached = self._sri_memo.get(file)
        if cached is None:
            path = self.manifest_path.parent / "public" / file
            try:
                cached = sri_file(path)
            except OSError:
                return None
            if len(self._sri_memo) > 10_000:
                self._sri_memo.clear()
            self._sri_memo[file] = cached
        return cached

    def _tag(self, name: str, file: str, integrity: str | None, **attrs: str) -> str:
        url = escape(self.public_path + file)
        parts = [f'{k}="{escape(v)}"' for k, v in attrs.items()]
        parts.append(f'href="{url}"' if name == "link" else f'src="{url}"')
        if integrity and self.integrity:
            parts.append(f'integrity="{escape(integrity)}" crossorigin="anonymous"')
        elif name == "script":
            parts.append('crossorigin="anonymous"')
        tag = f"<{name} {' '.join(parts)}>"
        return tag + "</script>" if name == "script" else tag


def install(
    env: Any,
    manifest_path: str | Path,
    public_path: str = "/static/",
    *,
    check_interval: float = 1.0,
    integrity: bool = False,
) -> AssetResolver:
    """Add ``asset_url`` and ``asset_tags`` globals to a Jinja2 ``Environment``; with
    ``integrity``, ``asset_tags`` writes SRI attributes (``templates.integrity``)."""
    from markupsafe import Markup

    resolver = AssetResolver(manifest_path, public_path, check_interval, integrity=integrity)
    env.globals["asset_url"] = resolver.url
    env.globals["asset_tags"] = lambda *keys: Markup(resolver.tags(*keys))  # noqa: S704
    return resolver


class BuildLoader(jinja2.BaseLoader):
    """A Jinja2 loader for the rewritten templates of the current build: ``<output>/templates/``.

    ``output`` is the link ``assetpipe build`` flips on every build, so the link is resolved on
    every load (never cached): a template loaded after a swap comes from the new build. A loaded
    template stays up to date while the link points at the same build and the file's mtime is
    unchanged (``assetpipe watch`` rewrites templates in place), so an environment with
    ``auto_reload`` picks up a new build at its next render. A name the build does not hold
    raises ``TemplateNotFound``: put this loader first in a ``ChoiceLoader`` to fall back."""

    def __init__(self, output: str | Path) -> None:
        self.output = Path(output)

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        build = os.path.realpath(self.output)
        path = os.path.join(build, "templates", *split_template_path(template))
        try:
            with open(path, "rb") as f:
                source = f.read().decode("utf-8")
            mtime = os.path.getmtime(path)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise jinja2.TemplateNotFound(template) from None

        def uptodate() -> bool:
            try:
                return os.path.realpath(self.output) == build and os.path.getmtime(path) == mtime
            except OSError:
                return False

        return source, path, uptodate

    def list_templates(self) -> list[str]:
        root = os.path.join(os.path.realpath(self.output), "templates")
        found = []
        for dirpath, _, names in os.walk(root):
            for name in names:
                rel = os.path.relpath(os.path.join(dirpath, name), root)
                found.append(rel.replace(os.sep, "/"))
        return sorted(found)


class SourceMappedLoader(jinja2.BaseLoader):
    """The app's own loader (``fallback``) picks the file; one in a folder of ``dirs``
    (``templates.dirs``, absolute) is answered with the build's rewrite of that same file, under
    whatever name the app's loader found it (``BuildLoader`` alone for a name it does not know).

    A blueprint whose ``template_folder`` is a subfolder of the app's templates folder
    (flask-shop's dashboard: ``templates/dashboard/``) renders ``product/detail.html``, which
    the build wrote as ``dashboard/product/detail.html``: without the mapping the page came
    from the source, unrewritten (no ``loading``, sizes or hashed literal URLs). The file is
    the one the app's lookup picks, so its order holds: a name the app's folder also has keeps
    Flask's order, and a loader that prefers files of its own (Indico's ``CUSTOMIZATION_DIR``)
    keeps them. A loader that changes a file as it reads it (Indico's adds
    ``nonce="{{ get_csp_nonce() }}"`` to each ``<script>``, which its Content-Security-Policy
    needs) has its change merged into the build's rewrite (``textmerge.merge3``); where the two
    change the same characters, the app's version is used, unrewritten."""

    def __init__(
        self, output: str | Path, fallback: jinja2.BaseLoader, dirs: tuple[Path, ...]
    ) -> None:
        self.build = BuildLoader(output)
        self.fallback = fallback
        self.dirs = [os.path.realpath(d) for d in dirs]

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        try:
            source, filename, uptodate = self.fallback.get_source(environment, template)
        except jinja2.TemplateNotFound:
            return self.build.get_source(environment, template)
        real = os.path.realpath(filename) if filename else ""
        for d in self.dirs:
            if real.startswith(d + os.sep):
                rel = os.path.relpath(real, d).replace(os.sep, "/")
                try:
                    built, path, fresh = self.build.get_source(environment, rel)
                except jinja2.TemplateNotFound:
                    continue
                return _with_loaders_change(built, source, real), path, fresh
        return source, filename, uptodate

    def list_templates(self) -> list[str]:
        return sorted(set(self.build.list_templates()) | set(self.fallback.list_templates()))


def _with_loaders_change(built: str, loaded: str, path: str) -> str:
    """The build's rewrite ``built`` of the file at ``path``, with the change the app's loader
    made to that file as it read it (``loaded``), if any; the app's ``loaded`` where the two
    cannot be merged."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            disk = f.read()
    except (OSError, UnicodeDecodeError):
        return built
    if loaded == disk:
        return built
    merged = merge3(disk, built, loaded)
    return loaded if merged is None else merged

"""Which template line an element comes from (an LCP ``<img>``, any element that shifted), and
the ``lcp-hints.json`` it feeds.

The build's report.json lists, per template, every ``<img>`` with the asset it shows and its
source line (``templates.<name>.images[] = {line, asset, ...}``). The LCP element's URL is a
hashed output file; the manifest maps it back to its source key, report.json to template:line.
Without that information (a build whose templates were not rewritten) the source templates are
scanned for the ``src`` as written.

Any other element (``locate_element``: a ``<div>`` banner that shifted), and an ``<img>`` whose
URL neither the build nor a template's text names (a photo the app's own view serves, drawn by a
macro: Albumy's ``photo_card``), is found by its tag and
its ``id`` or classes, read from the selector the page's script gave it (``tag#id`` or
``tag.a.b``), in the source templates of the page: its own template and those it extends,
includes or imports (all templates when the page's template is unknown). An ``id`` names the
first tag that carries it; classes name a tag only when one template line has a tag with all of
them (a tag rendered in a loop is one line); otherwise, and for an element with neither, no line
is given rather than a guess.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..config import Config
from ..config.templatedirs import dir_path
from ..manifest import BuildView

log = logging.getLogger("assetpipe.audit")


class Locator:
    """Maps public URLs to manifest keys and keys to template lines, for one build."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.public_path = urlsplit(config.public_path).path
        self.file_to_key: dict[str, str] = {}
        self.immutable: set[str] = set()
        self.images: list[tuple[str, int, str | None, str | None]] = []
        self.entries: dict[str, dict[str, Any]] = {}
        self.sizes: dict[str, int] = {}
        build = BuildView.read(config.output)
        for key, entry in build.manifest.entries.items():
            self.entries[key] = entry
            self.file_to_key[entry["file"]] = key
            if isinstance(entry.get("size"), int):
                self.sizes[entry["file"]] = entry["size"]
            for variant in entry.get("variants", ()):
                self.file_to_key[variant["file"]] = key
                if isinstance(variant.get("size"), int):
                    self.sizes[variant["file"]] = variant["size"]
        self.immutable = build.immutable()
        self.has_manifest = bool(build.manifest.entries)
        for name, info in sorted(build.templates().items()):
            for img in info.get("images", ()):
                if isinstance(img, dict) and isinstance(img.get("line"), int):
                    self.images.append((name, img["line"], img.get("asset"), img.get("src")))

    def rel(self, path: str) -> str | None:
        """The file under ``public/`` that a URL path names, if it is under ``public_path``."""
        path = unquote(path)
        if not path.startswith(self.public_path):
            return None
        return path[len(self.public_path) :]

    def is_hashed(self, path: str) -> bool:
        """Whether a URL path names an immutable (hashed) asset of this build."""
        from ..hashing import is_hashed

        rel = self.rel(path)
        if rel is None:
            return False
        if self.has_manifest:
            return rel in self.immutable
        return is_hashed(rel)

    def image_entries(self) -> list[dict[str, Any]]:
        """The manifest entries of images (those with variants or dimensions)."""
        return [e for e in self.entries.values() if "variants" in e or "width" in e]

    def output_size(self, url: str) -> int | None:
        """The size the manifest gives for the output file a URL names."""
        rel = self.rel(urlsplit(url).path)
        return None if rel is None else self.sizes.get(rel)

    def growth(self, url: str) -> tuple[int, int] | None:
        """(output bytes, source bytes) when the image output a URL names is larger than its
        source file; ``None`` otherwise or when unknown."""
        rel = self.rel(urlsplit(url).path)
        key = None if rel is None else self.file_to_key.get(rel)
        size = None if rel is None else self.sizes.get(rel)
        if (
            key is None
            or size is None
            or key not in self.entries
            or "width" not in self.entries[key]
        ):
            return None
        try:
            source = (self.config.source / key).stat().st_size
        except OSError:
            return None
        return (size, source) if size > source else None

    def key_for(self, url: str | None) -> str | None:
        if not url:
            return None
        rel = self.rel(urlsplit(url).path)
        return None if rel is None else self.file_to_key.get(rel, rel)

    def locate(
        self, element: dict[str, Any] | None, template: str | None
    ) -> tuple[str | None, int | None, str | None]:
        """(template, line, asset key) of an LCP element that is an ``<img>``.

        When several templates show the asset, the page's family decides: its own template
        first, then those it extends, includes or imports, in that order. Templates outside the
        family (or any, when the page's template is unknown) name the element only when one of
        them shows the asset: two other pages that show the same photo give no line rather
        than a guess (a hint written to the wrong template would change the wrong page)."""
        if not element or element.get("tag") != "img":
            return None, None, None
        key = self.key_for(element.get("url")) or self.key_for(element.get("src"))
        candidates = sorted(
            (name, line)
            for name, line, asset, src in self.images
            if (key and asset == key) or (src and src == element.get("src"))
        )
        if candidates:
            family = self._family(template) if template in self._template_files() else []
            rank = {name: i for i, (name, _text) in enumerate(family)}
            near = [c for c in candidates if c[0] in rank]
            if near:
                best = min(near, key=lambda c: (rank[c[0]], c[1]))
                return best[0], best[1], key
            if len({name for name, _line in candidates}) == 1:
                return candidates[0][0], candidates[0][1], key
            return None, None, key
        found = self._scan(element.get("src"), key, template)
        if found:
            return found[0], found[1], key
        # a src the build does not know (a photo the app's own view serves): its tag and classes
        return (*self._by_selector(element, template), key)

    def locate_element(
        self, element: dict[str, Any], template: str | None
    ) -> tuple[str | None, int | None]:
        """(template, line) of any element (see the module docstring); an ``<img>`` as
        ``locate`` finds it."""
        if element.get("tag") == "img":
            tpl, line, _key = self.locate(element, template)
            if tpl is not None:
                return tpl, line
        return self._by_selector(element, template)

    def _by_selector(
        self, element: dict[str, Any], template: str | None
    ) -> tuple[str | None, int | None]:
        """(template, line) of the tag the element's selector names by its id or its classes
        in the page's family (see the module docstring), else by its path from its nearest
        ancestor with an id (``_by_path``); ``(None, None)`` when none or several lines match,
        or the element has no selector."""
        found = self._by_last_part(element, template)
        return found if found[0] is not None else self._by_path(element, template)

    def _by_path(
        self, element: dict[str, Any], template: str | None
    ) -> tuple[str | None, int | None]:
        """(template, line) of the element found from its nearest ancestor with an ``id``: that
        tag, then each later part of the selector matched in order after it in the same
        template (a class the markup lacks counts as matched when the ``class`` attribute is
        built by a template tag: ``carousel-item {% if forloop.first %}active{% endif %}``).
        django-oscar's product photo, ``div#product_gallery > div.img-thumbnail.mb-3 > ... >
        img.img-fluid``, is a run-time thumbnail URL whose classes name three lines of
        ``gallery.html`` (the two branches both have ``id="product_gallery"``): lazy, it was
        the page's LCP, and the audit named no line, so ``lcp-hints.json`` could not fix it.
        Only one matching line names it."""
        parts = [parse_selector(p) for p in (element.get("selector") or "").split(" > ")]
        anchor = max((i for i, p in enumerate(parts) if p is not None and p[1]), default=None)
        if anchor is None or any(p is None for p in parts[anchor:]):
            return None, None
        chain = [p for p in parts[anchor:] if p is not None]
        found: set[tuple[str, int]] = set()
        for name, text in self._family(template):
            for m in _start_tag(chain[0][0]).finditer(text):
                if _attrs(m.group(1)).get("id") != chain[0][1]:
                    continue
                end = _follow(text, m.end(), chain[1:])
                if end is not None:
                    found.add((name, text.count("\n", 0, end) + 1))
        return next(iter(found)) if len(found) == 1 else (None, None)

    def _by_last_part(
        self, element: dict[str, Any], template: str | None
    ) -> tuple[str | None, int | None]:
        """(template, line) of the tag the selector's last part names by its id or classes."""
        parsed = parse_selector(element.get("selector"))
        if parsed is None or (parsed[1] is None and not parsed[2]):
            return None, None
        tag, ident, classes = parsed
        found: list[tuple[str, int]] = []
        for name, text in self._family(template):
            for m in _start_tag(tag).finditer(text):
                attrs = _attrs(m.group(1))
                if ident is not None:
                    ok = attrs.get("id") == ident
                else:
                    ok = set(classes) <= set((attrs.get("class") or "").split())
                if ok:
                    found.append((name, text.count("\n", 0, m.start()) + 1))
            if ident is not None and found:
                return found[0]
        if ident is None and len(set(found)) == 1:
            return found[0]
        return None, None

    def _template_files(self) -> dict[str, Path]:
        """Every source template by its name (path under a templates folder)."""
        files: dict[str, Path] = {}
        for d in self.config.templates.dirs:
            base = dir_path(self.config.source, d)
            if base.is_dir():
                for p in sorted(base.rglob("*")):
                    if p.is_file():
                        files.setdefault(p.relative_to(base).as_posix(), p)
        return files

    def _family(self, template: str | None) -> list[tuple[str, str]]:
        """(name, text) of the page's template and those it extends, includes or imports,
        transitively, the page's own first; every template when ``template`` is unknown."""
        files = self._template_files()
        names = [template] if template in files else sorted(files)
        out: list[tuple[str, str]] = []
        seen: set[str] = set()
        while names:
            name = names.pop(0)
            if name in seen or name not in files:
                continue
            seen.add(name)
            try:
                text = files[name].read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            out.append((name, text))
            if template in files:
                names += _REFS.findall(text)
        return out

    def _scan(
        self, src: str | None, key: str | None, template: str | None
    ) -> tuple[str, int] | None:
        """Fallback: the first ``<img`` line in the source templates naming ``src`` or the
        key's public URL (the page's own template first)."""
        needles = [
            n
            for n in (
                src,
                key and self.config.public_path + key,
                key and f"filename='{key}'",
                key and f'filename="{key}"',
            )
            if n
        ]
        if not needles:
            return None
        files: list[tuple[str, Path]] = []
        for d in self.config.templates.dirs:
            base = dir_path(self.config.source, d)
            if base.is_dir():
                files += [
                    (p.relative_to(base).as_posix(), p)
                    for p in sorted(base.rglob("*"))
                    if p.is_file()
                ]
        files.sort(key=lambda f: f[0] != template)
        tag = re.compile(r"<img\b", re.I)
        for name, path in files:
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                continue
            last_img = None
            for i, line in enumerate(lines, 1):
                if tag.search(line):
                    last_img = i
                if last_img is not None and i - last_img <= 5 and any(n in line for n in needles):
                    return name, last_img
        return None


_REFS = re.compile(r"""{%-?\s*(?:extends|include|import|from)\s+["']([^"']+)["']""")
_SELECTOR = re.compile(
    r"^([a-z][a-z0-9-]*)((?:#(?:\\.|[^.:#\\])+)?)((?:\.(?:\\.|[^.:#\\])+)*)(?::nth-of-type\(\d+\))?$"
)
_ATTR = re.compile(r"""([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")


def _unescape(text: str) -> str:
    """Undo ``CSS.escape`` (a backslash before a character; hex escapes for leading digits)."""
    text = re.sub(r"\\([0-9a-fA-F]{1,6}) ?", lambda m: chr(int(m.group(1), 16)), text)
    return re.sub(r"\\(.)", r"\1", text)


def parse_selector(selector: str | None) -> tuple[str, str | None, tuple[str, ...]] | None:
    """(tag, id, classes) of the last part of a selector the page's script wrote (``div#b``,
    ``section.promo.wide:nth-of-type(2)``); ``None`` for anything else."""
    if not selector:
        return None
    m = _SELECTOR.match(selector.rsplit(" > ", 1)[-1].strip())
    if m is None:
        return None
    ident = _unescape(m.group(2)[1:]) if m.group(2) else None
    classes = tuple(_unescape(c) for c in re.findall(r"\.((?:\\.|[^.\\])+)", m.group(3)))
    return m.group(1), ident, classes


def _start_tag(tag: str) -> re.Pattern[str]:
    """A start tag ``<tag ...>`` (attributes over several lines too); group 1: the attributes."""
    return re.compile(rf"<{re.escape(tag)}(\s[^<>]*)?/?>", re.I)


def _follow(
    text: str, pos: int, chain: list[tuple[str, str | None, tuple[str, ...]]]
) -> int | None:
    """Where the last of ``chain``'s tags starts when each is found, in order, after ``pos``
    (``_by_path``; a class the markup lacks is matched when the ``class`` attribute is built by
    a template tag and names one of the others); ``None`` when one is not found."""
    start = pos
    for tag, _ident, classes in chain:
        for m in _start_tag(tag).finditer(text, pos):
            value = _attrs(m.group(1)).get("class") or ""
            missing = set(classes) - set(value.split())
            built = "{%" in value or "{{" in value
            if not missing or (built and len(missing) < len(classes)):
                start, pos = m.start(), m.end()
                break
        else:
            return None
    return start


def _attrs(text: str | None) -> dict[str, str]:
    """A start tag's attributes (the last value of a repeated one), names lowercased."""
    return {
        m.group(1).lower(): next((g for g in m.groups()[1:] if g is not None), "")
        for m in _ATTR.finditer(text or "")
    }

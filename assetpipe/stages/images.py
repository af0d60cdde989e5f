"""The images stage: responsive variants of every image ``images.include`` matches.

Inputs: the source images (minus the keys the static stage lists) and ``images:`` options.
Outputs: for each source, variants at the planned widths (``imaging.plan``: never upscaled) in
every format of ``images.formats`` (``imaging.formats``), named ``img/hero-960w-HASH.webp``;
an animated GIF/WebP/PNG/AVIF is passed through untouched (every frame kept, never flattened)
as ``img/anim-HASH.gif``.

Images never grow (``imaging.select``, applied to the encoded sizes on every build): a variant
not smaller than the source, than the original-format variant at its width, or than a wider
variant of its format is not emitted; where the source serves instead, its metadata-free copy
(``imaging.plain``) is emitted under the original format's name (``img/icon-256w-HASH.png``).
What was dropped or served as is goes to report.json (``images.never_bigger``, by source key)
and one summary line (``imaging.notes.summary``). Manifest entry per source key (the one image
entry shape every consumer reads: ``docs/architecture.md``)::

    {"file": <widest emitted width, first format there>, "src", "size", "integrity" (of file),
     "width", "height" (displayed, EXIF orientation applied),
     "variants": [{"file", "width", "height", "format", "size"}]}   # emitted files only:
                                                                     # config format order,
                                                                     # then width ascending

Cache: two kinds of entries, both keyed by the source's SHA-256 and the tool versions (Pillow
and the codecs involved, ``imaging.options.tool_versions``), so a new encoder re-encodes:

- a *probe* (format, mode, stored and displayed size, orientation, animation, and the size
  and hashes of the source's metadata-free copy) — so planning a cached image never opens it;
- one *group* per (source, output format): its variants' bytes, keyed also by the planned sizes
  and exactly the options that change that format's bytes (``ImageOptions.group_options``).
  Changing the WebP quality re-encodes only WebP groups; the JPEG ones stay hits.

Only groups that miss become work: one job per source (decoded once for all its missing
formats), handed to the pool as planning finds it, so workers encode while the rest is
planned (``imaging.pool.Batch``: costliest first; in-process when there is one job, over a
process pool on all cores when there are more). A no-op rebuild opens no image and starts no process; source
hashes come from the stat memo of ``sources`` (size, mtime_ns, inode), so it reads no source
either.

Errors: a zero-byte, unknown-format, corrupt or truncated file, or one over ``max_pixels``, raises
``StageError`` naming the file (exit 1; the build folder is discarded, the previous output
stays). With ``on_error: skip`` the image is left out with a warning instead.
"""

from __future__ import annotations

import hashlib
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import StageError
from ..hashing import sri, sri_file
from ..imaging.formats import original_format, plain_format, resolve
from ..imaging.notes import grown_warnings, never_bigger
from ..imaging.options import ImageOptions, tool_versions
from ..imaging.plain import plain_facts, plain_source
from ..imaging.plan import passthrough_name, plan_widths, variant_name
from ..imaging.probe import ImageInputError, Probe, check_pixels, probe
from ..imaging.select import SOURCE, Selection
from ..imaging.select import select as select_variants
from ..pipeline.cache import CacheEntry
from ..pipeline.codeprint import code_digest
from ..pipeline.sources import SourceFile
from ..records import dataclass
from .base import StageContext

if TYPE_CHECKING:
    from ..imaging.worker import JobResult

STAGE = "images"


@dataclass(frozen=True)
class _Plain:
    """What the probe learnt of the source's metadata-free copy (``imaging.plain``); the bytes
    are made and cached only when ``imaging.select`` serves them."""

    size: int
    sha256: str
    integrity: str


@dataclass
class _Item:
    """One source image on its way through the stage."""

    file: SourceFile
    sha: str
    probe: Probe
    formats: list[str]
    sizes: list[tuple[int, int]]
    keys: dict[str, str] = field(default_factory=dict)
    groups: dict[str, CacheEntry] = field(default_factory=dict)
    passthrough_integrity: str = ""
    passthrough: Path | None = None
    plain: _Plain | None = None

    @property
    def missing(self) -> list[str]:
        return [fmt for fmt in self.formats if fmt not in self.groups]


def select(ctx: StageContext) -> list[SourceFile]:
    """The source files this stage owns."""
    return ctx.sources.match(ctx.config.images.include, exclude=ctx.static_keys)


def run(ctx: StageContext) -> None:
    """Produce every image's variants and manifest entry (see the module docstring)."""
    files = select(ctx)
    if not files:
        return
    opts = ImageOptions.from_config(ctx.config.images)
    versions = tool_versions(
        avif="avif" in opts.tokens or any(f.rel.lower().endswith(".avif") for f in files)
    )
    ctx.progress.start(STAGE, len(files))
    items: list[_Item] = []
    skipped: list[str] = []
    encoder: _Encoder | None = None  # made at the first miss: a no-op rebuild needs no pool
    try:
        for f in files:
            try:
                item = _plan(ctx, f, opts, versions)
            except ImageInputError as exc:
                _bad_input(ctx, f.rel, exc.message, exc.hint, skipped)
                ctx.progress.advance(STAGE)
                continue
            items.append(item)
            if not item.missing:
                ctx.progress.advance(STAGE)
                if encoder is not None:
                    encoder.batch.poll()
                continue
            if encoder is None:
                encoder = _Encoder(ctx, opts)
            encoder.add(item)  # workers encode while the rest is planned
        failed = encoder.finish() if encoder is not None else {}
    except BaseException:
        if encoder is not None:
            encoder.batch.cancel()
        raise
    by_key = {item.file.rel: item for item in items}
    for rel in sorted(failed):
        message, hint = failed[rel]
        _bad_input(ctx, rel, message, hint, skipped)
        del by_key[rel]
    variants = 0
    notes: dict[str, Any] = {}
    for rel in sorted(by_key):
        variants += _emit(ctx, by_key[rel], notes)
    ctx.report.sections[STAGE] = {
        "images": len(by_key),
        "variants": variants,
        "skipped": sorted(skipped),
        "never_bigger": notes,
    }
    ctx.progress.finish(STAGE)


def _bad_input(
    ctx: StageContext, rel: str, message: str, hint: str | None, skipped: list[str]
) -> None:
    location = ctx.source_location(rel)
    if ctx.config.images.on_error == "skip":
        ctx.warn(f"{message} (skipped: images.on_error is skip)", location)
        skipped.append(rel)
        return
    raise StageError(
        message,
        location=location,
        hint=hint or "fix or remove the file, or set images.on_error: skip",
    )


def _plan(ctx: StageContext, f: SourceFile, opts: ImageOptions, versions: dict[str, str]) -> _Item:
    """Probe (cached) the source, plan its variants and look up each format group."""
    sha = ctx.sources.sha256(f.rel)
    probe_key = ctx.cache.key("images-probe", code_digest("images"), sha, versions)
    entry = ctx.cache.get(probe_key, STAGE)
    if entry is None:
        info = probe(f.path, opts.max_pixels)
        integrity = sri_file(f.path) if info.animated else ""
        # an animation is published as is: from a cached copy, never a hard link to the source
        # (an editor saving it in place would change the published file)
        copy: dict[str, bytes | Path] = {"anim": f.path} if info.animated else {}
        entry = ctx.cache.put(
            probe_key,
            copy,
            {"probe": info.to_json(), "integrity": integrity, "plain": plain_facts(f.path, info)},
        )
    info = Probe.from_json(dict(entry.meta["probe"]))
    integrity = str(entry.meta.get("integrity", ""))
    check_pixels(info.stored_width, info.stored_height, opts.max_pixels)
    if info.animated:
        return _Item(
            f,
            sha,
            info,
            formats=[],
            sizes=[(info.width, info.height)],
            passthrough_integrity=integrity,
            passthrough=entry.path("anim"),
        )
    plain = entry.meta.get("plain")
    item = _Item(
        f,
        sha,
        info,
        formats=resolve(opts.tokens, info.format),
        sizes=plan_widths(info.width, info.height, opts.widths),
        plain=None
        if not plain
        else _Plain(int(plain["size"]), str(plain["sha256"]), str(plain["integrity"])),
    )
    for fmt in item.formats:
        key = ctx.cache.key(
            "images", code_digest("images"), sha, versions, item.sizes, opts.group_options(fmt)
        )
        item.keys[fmt] = key
        hit = ctx.cache.get(key, STAGE)
        if hit is not None and _group_ok(hit, item.sizes):
            item.groups[fmt] = hit
    return item


def _plain_file(ctx: StageContext, item: _Item) -> Path:
    """The cached metadata-free copy of ``item``'s source (made on first use: reading the
    source once more, only in the build that first serves it)."""
    assert item.plain is not None
    key = ctx.cache.key("images-plain", code_digest("images"), item.sha)
    entry = ctx.cache.get(key, STAGE)
    if entry is None:
        info = item.probe
        data = plain_source(item.file.path.read_bytes(), info.format, info.mode, info.orientation)
        if data is None or hashlib.sha256(data).hexdigest() != item.plain.sha256:
            raise StageError(
                "the image changed while the build was running",
                location=ctx.source_location(item.file.rel),
                hint="build again",
            )
        entry = ctx.cache.put(key, {"plain": data}, {})
    return entry.path("plain")


def _group_ok(entry: CacheEntry, sizes: list[tuple[int, int]]) -> bool:
    """A sanity check of a cached group's shape (the key already covers the sizes)."""
    meta = entry.meta.get("variants")
    return isinstance(meta, list) and [(v["width"], v["height"]) for v in meta] == sizes


class _Encoder:
    """One job per item with missing groups (its source decoded once for all of them), handed
    to ``imaging.pool.Batch`` as planning finds it; each finished group is stored in the
    cache."""

    def __init__(self, ctx: StageContext, opts: ImageOptions) -> None:
        from ..imaging.pool import Batch

        self.ctx = ctx
        self.opts = opts
        self.items: dict[str, _Item] = {}
        self.failed: dict[str, tuple[str, str | None]] = {}
        self.batch = Batch(self._done)

    def add(self, item: _Item) -> None:
        from ..imaging.pool import job_cost
        from ..imaging.worker import Job

        job = Job(
            key=item.file.rel,
            path=item.file.path,
            orientation=item.probe.orientation,
            sizes=tuple(item.sizes),
            formats=tuple(item.missing),
            options=self.opts,
        )
        self.items[job.key] = item
        self.batch.add(job, job_cost(job, item.probe.stored_width * item.probe.stored_height))

    def finish(self) -> dict[str, tuple[str, str | None]]:
        """Wait for every job; returns the items that failed: key → (message, hint)."""
        from ..imaging.pool import WorkerDied

        try:
            self.batch.finish()
        except WorkerDied as exc:
            raise StageError(
                str(exc),
                hint="lower images.max_pixels; a script that calls "
                "assetpipe.build() while running threads must guard "
                "its top level with if __name__ == '__main__'",
            ) from exc
        return self.failed

    def _done(self, result: JobResult) -> None:
        item = self.items[result.key]
        if result.error is not None:
            self.failed[result.key] = (result.error, result.hint)
        else:
            for fmt, outs in result.outputs.items():
                files = {str(w): data for w, _, data in outs}
                meta = {
                    "variants": [
                        {
                            "name": str(w),
                            "width": w,
                            "height": h,
                            "size": len(data),
                            "integrity": sri(data),
                            "sha256": hashlib.sha256(data).hexdigest(),
                        }
                        for w, h, data in outs
                    ]
                }
                item.groups[fmt] = self.ctx.cache.put(item.keys[fmt], files, meta)
        self.ctx.progress.advance(STAGE)


def _emit(ctx: StageContext, item: _Item, notes: dict[str, Any]) -> int:
    """Place an item's outputs in ``public/`` and add its manifest entry; returns the count."""
    rel = item.file.rel
    if item.probe.animated:
        out = passthrough_name(rel, item.sha)
        assert item.passthrough is not None
        ctx.link_public(out, item.passthrough)
        fmt = item.probe.format.lower()
        variant = {
            "file": out,
            "width": item.probe.width,
            "height": item.probe.height,
            "format": fmt,
            "size": item.file.size,
        }
        ctx.manifest.add(
            rel,
            {
                "file": out,
                "src": rel,
                "size": item.file.size,
                "integrity": item.passthrough_integrity,
                "width": item.probe.width,
                "height": item.probe.height,
                "variants": [variant],
            },
        )
        return 1
    sel = _select(item)
    files = {
        fmt: {int(v["width"]): v for v in item.groups[fmt].meta["variants"]} for fmt in item.formats
    }
    variants: list[dict[str, Any]] = []
    integrity: dict[str, str] = {}
    for v in sel.kept:
        if v.origin == SOURCE:
            assert item.plain is not None
            out = variant_name(rel, v.width, v.format, item.plain.sha256)
            ctx.link_public(out, _plain_file(ctx, item))
            integrity[out] = item.plain.integrity
        else:
            meta = files[v.format][v.width]
            out = variant_name(rel, v.width, v.format, str(meta["sha256"]))
            ctx.link_public(out, item.groups[v.format].path(str(meta["name"])))
            integrity[out] = str(meta["integrity"])
        variants.append(
            {"file": out, "width": v.width, "height": v.height, "format": v.format, "size": v.size}
        )
    main = _main_variant(variants, item.formats, original_format(item.probe.format))
    ctx.manifest.add(
        rel,
        {
            "file": main["file"],
            "size": main["size"],
            "integrity": integrity[main["file"]],
            "src": rel,
            "width": item.probe.width,
            "height": item.probe.height,
            "variants": variants,
        },
    )
    _note(ctx, item, sel, notes)
    return len(variants)


def _select(item: _Item) -> Selection:
    encoded = {
        fmt: [
            (int(v["width"]), int(v["height"]), int(v["size"]))
            for v in item.groups[fmt].meta["variants"]
        ]
        for fmt in item.formats
    }
    return select_variants(
        item.formats,
        original_format(item.probe.format),
        item.probe.width,
        item.probe.height,
        encoded,
        item.file.size,
        item.plain.size if item.plain else None,
        plain_format(item.probe.format),
    )


def _main_variant(
    variants: list[dict[str, Any]], formats: list[str], original: str
) -> dict[str, Any]:
    """The manifest's ``file``: at the widest emitted width, the first configured format there
    (the source's own format when only the plain copy serves that width; a still GIF's own
    bytes rank as its original format, PNG, would)."""
    widest = max(int(v["width"]) for v in variants)
    there = [v for v in variants if int(v["width"]) == widest]
    rank = {fmt: i for i, fmt in enumerate(formats)}
    fallback = rank.get(original, len(rank))
    return min(there, key=lambda v: rank.get(str(v["format"]), fallback))


def _note(ctx: StageContext, item: _Item, sel: Selection, notes: dict[str, Any]) -> None:
    """Record what the never-bigger rule did for one source (report.json), and warn about a
    variant that grew with nothing smaller to serve instead."""
    for message in grown_warnings(sel, item.probe):
        ctx.warn(message, ctx.source_location(item.file.rel))
    doc = never_bigger(sel, item.file.size)
    if doc:
        notes[item.file.rel] = doc

"""The images stage: responsive variants of every image ``images.include`` matches.

Inputs: the source images (minus the keys the static stage lists) and ``images:`` options.
Outputs: for each source, variants at the planned widths (``imaging.plan``: never upscaled) in
every format of ``images.formats`` (``imaging.formats``), named ``img/hero-960w-HASH.webp``;
an animated GIF/WebP/PNG/AVIF is passed through untouched (every frame kept, never flattened)
as ``img/anim-HASH.gif``. Manifest entry per source key (DESIGN §3.4)::

    {"file": <largest width, first format>, "src", "size", "integrity" (of file),
     "width", "height" (displayed, EXIF orientation applied),
     "variants": [{"file", "width", "height", "format", "size"}]}   # config format order,
                                                                     # then width ascending

Cache (DESIGN §2): two kinds of entries, both keyed by the source's SHA-256 and the tool
versions (Pillow + its codecs):

- a *probe* (format, stored and displayed size, orientation, animation) — so planning a cached
  image never opens it;
- one *group* per (source, output format): its variants' bytes, keyed also by the planned sizes
  and exactly the options that change that format's bytes (``ImageOptions.group_options``).
  Changing the WebP quality re-encodes only WebP groups; the JPEG ones stay hits.

Only groups that miss become work: one job per source (decoded once for all its missing
formats), run in-process when there is one job and over a process pool on all cores when there
are more (``imaging.pool``). A no-op rebuild opens no image and starts no process.

Errors: a zero-byte, unknown-format, corrupt or truncated file, or one over ``max_pixels``, raises
``StageError`` naming the file (exit 1; the build folder is discarded, the previous output
stays). With ``on_error: skip`` the image is left out with a warning instead.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from ..cache import CacheEntry
from ..errors import StageError
from ..hashing import sri, sri_file
from ..imaging.formats import resolve
from ..imaging.options import PIPELINE_VERSION, ImageOptions, tool_versions
from ..imaging.plan import passthrough_name, plan_widths, variant_name
from ..imaging.probe import ImageInputError, Probe, check_pixels, probe
from ..sources import SourceFile
from .base import StageContext

STAGE = "images"


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
    versions = tool_versions()
    ctx.progress.start(STAGE, len(files))
    items: list[_Item] = []
    skipped: list[str] = []
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
    by_key = {item.file.rel: item for item in items}
    failed = _encode_missing(ctx, [i for i in items if i.missing], opts)
    for rel in sorted(failed):
        message, hint = failed[rel]
        _bad_input(ctx, rel, message, hint, skipped)
        del by_key[rel]
    variants = 0
    for rel in sorted(by_key):
        variants += _emit(ctx, by_key[rel])
    ctx.report.sections[STAGE] = {"images": len(by_key), "variants": variants,
                                  "skipped": sorted(skipped)}
    ctx.progress.finish(STAGE)


def _bad_input(ctx: StageContext, rel: str, message: str, hint: str | None,
               skipped: list[str]) -> None:
    location = ctx.source_location(rel)
    if ctx.config.images.on_error == "skip":
        ctx.warn(f"{message} (skipped: images.on_error is skip)", location)
        skipped.append(rel)
        return
    raise StageError(message, location=location,
                     hint=hint or "fix or remove the file, or set images.on_error: skip")


def _plan(ctx: StageContext, f: SourceFile, opts: ImageOptions,
          versions: dict[str, str]) -> _Item:
    """Probe (cached) the source, plan its variants and look up each format group."""
    sha = ctx.sources.sha256(f.rel)
    probe_key = ctx.cache.key("images-probe", PIPELINE_VERSION, sha, versions)
    entry = ctx.cache.get(probe_key, STAGE)
    if entry is not None:
        info = Probe.from_json(dict(entry.meta["probe"]))
        integrity = str(entry.meta.get("integrity", ""))
    else:
        info = probe(f.path, opts.max_pixels)
        integrity = sri_file(f.path) if info.animated else ""
        ctx.cache.put(probe_key, {}, {"probe": info.to_json(), "integrity": integrity})
    check_pixels(info.stored_width, info.stored_height, opts.max_pixels)
    if info.animated:
        return _Item(f, sha, info, formats=[], sizes=[(info.width, info.height)],
                     passthrough_integrity=integrity)
    item = _Item(f, sha, info, formats=resolve(opts.tokens, info.format),
                 sizes=plan_widths(info.width, info.height, opts.widths))
    for fmt in item.formats:
        key = ctx.cache.key("images", PIPELINE_VERSION, sha, versions, item.sizes,
                            opts.group_options(fmt))
        item.keys[fmt] = key
        hit = ctx.cache.get(key, STAGE)
        if hit is not None and _group_ok(hit, item.sizes):
            item.groups[fmt] = hit
    return item


def _group_ok(entry: CacheEntry, sizes: list[tuple[int, int]]) -> bool:
    """A sanity check of a cached group's shape (the key already covers the sizes)."""
    meta = entry.meta.get("variants")
    return isinstance(meta, list) and [(v["width"], v["height"]) for v in meta] == sizes


def _encode_missing(ctx: StageContext, todo: list[_Item], opts: ImageOptions
                    ) -> dict[str, tuple[str, str | None]]:
    """Run one job per item with missing groups; store each group in the cache. Returns the
    items that failed: key → (message, hint)."""
    if not todo:
        return {}
    from ..imaging.pool import WorkerDied, run_jobs
    from ..imaging.worker import Job, JobResult

    items = {i.file.rel: i for i in todo}
    failed: dict[str, tuple[str, str | None]] = {}

    def done(result: JobResult) -> None:
        item = items[result.key]
        if result.error is not None:
            failed[result.key] = (result.error, result.hint)
        else:
            for fmt, outs in result.outputs.items():
                files = {str(w): data for w, _, data in outs}
                meta = {"variants": [{"name": str(w), "width": w, "height": h,
                                      "size": len(data), "integrity": sri(data),
                                      "sha256": hashlib.sha256(data).hexdigest()}
                                     for w, h, data in outs]}
                item.groups[fmt] = ctx.cache.put(item.keys[fmt], files, meta)
        ctx.progress.advance(STAGE)

    jobs = [Job(key=i.file.rel, path=i.file.path, orientation=i.probe.orientation,
                sizes=tuple(i.sizes), formats=tuple(i.missing), options=opts) for i in todo]
    try:
        run_jobs(jobs, done)
    except WorkerDied as exc:
        raise StageError(str(exc), hint="lower images.max_pixels; a script that calls "
                                        "assetpipe.build() while running threads must guard "
                                        "its top level with if __name__ == '__main__'") from exc
    return failed


def _emit(ctx: StageContext, item: _Item) -> int:
    """Place an item's outputs in ``public/`` and add its manifest entry; returns the count."""
    rel = item.file.rel
    if item.probe.animated:
        out = passthrough_name(rel, item.sha)
        ctx.link_public(out, item.file.path)
        fmt = item.probe.format.lower()
        variant = {"file": out, "width": item.probe.width, "height": item.probe.height,
                   "format": fmt, "size": item.file.size}
        ctx.manifest.add(rel, {"file": out, "src": rel, "size": item.file.size,
                               "integrity": item.passthrough_integrity,
                               "width": item.probe.width, "height": item.probe.height,
                               "variants": [variant]})
        return 1
    variants: list[dict[str, Any]] = []
    main: dict[str, Any] = {}
    for fmt in item.formats:
        entry = item.groups[fmt]
        for v in entry.meta["variants"]:
            out = variant_name(rel, int(v["width"]), fmt, str(v["sha256"]))
            ctx.link_public(out, entry.path(str(v["name"])))
            variants.append({"file": out, "width": v["width"], "height": v["height"],
                             "format": fmt, "size": v["size"]})
            if fmt == item.formats[0]:
                main = {"file": out, "size": v["size"], "integrity": v["integrity"]}
    ctx.manifest.add(rel, {**main, "src": rel, "width": item.probe.width,
                           "height": item.probe.height, "variants": variants})
    return len(variants)

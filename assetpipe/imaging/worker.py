"""One job: decode a source once and produce every variant it still needs.

The pipeline, each step chosen for speed without losing quality:

1. open; for a JPEG, ``draft()`` lets libjpeg decode at 1/2, 1/4 or 1/8 scale (DCT scaling)
   when the largest target is at most that fraction of the source — a 4000 px photo for a
   1600 px variant decodes at 2000 px, a quarter of the pixels;
2. normalise the pixel mode (``colour.normalise_mode``);
3. resize to the largest width (LANCZOS, alpha premultiplied by Pillow), then apply the EXIF
   orientation (a transpose of the smaller image), then colour (``colour.to_output``; a PNG's
   ``gAMA``/``cHRM`` chunks count as its profile, ``pngcolour``);
4. every narrower width is resized from the previous one (largest first), each encoded in every
   format the job asks for.

Runs in a pool worker (or in-process for a single job); returns plain picklable data. Bad input
is returned as ``JobResult.error``, never raised, so one bad file does not break the pool.
"""

from __future__ import annotations

import warnings
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import field
from pathlib import Path
from typing import Any

from ..records import dataclass
from .colour import normalise_mode, to_output
from .encode import encode
from .formats import READABLE
from .options import ImageOptions
from .pngcolour import png_profile
from .probe import ImageInputError, bomb_error, check_pixels

#: Encodes of one job that may run at once. The pool gives the last jobs of a build (the tail,
#: when cores would otherwise idle) this many; the others encode one at a time, since every
#: core already has a job and more threads would only contend for caches.
ENCODE_THREADS = 2

#: Pillow's Image.Transpose values for EXIF orientations 2..8.
_TRANSPOSE = {2: 0, 3: 3, 4: 1, 5: 5, 6: 4, 7: 6, 8: 2}


@dataclass(frozen=True)
class Job:
    """Encode ``sizes`` (displayed width, height; narrowest first) in each of ``formats``."""

    key: str  # the source's manifest key (for the caller's bookkeeping)
    path: Path
    orientation: int
    sizes: tuple[tuple[int, int], ...]
    formats: tuple[str, ...]
    options: ImageOptions
    threads: int = 1  # encodes at once (see ENCODE_THREADS)


@dataclass
class JobResult:
    """``outputs[fmt]`` = [(width, height, bytes)] narrowest first; or an ``error``."""

    key: str
    outputs: dict[str, list[tuple[int, int, bytes]]] = field(default_factory=dict)
    error: str | None = None
    hint: str | None = None


def run_job(job: Job) -> JobResult:
    """Run one job (see the module docstring). Never raises for bad input."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return JobResult(job.key, outputs=_process(job))
    except MemoryError:
        return JobResult(
            job.key,
            error="cannot decode image: out of memory",
            hint="lower images.max_pixels or resize the source",
        )
    except Image.DecompressionBombError as exc:
        err = bomb_error(exc, job.options.max_pixels)
        return JobResult(job.key, error=err.message, hint=err.hint)
    except ImageInputError as exc:
        return JobResult(job.key, error=exc.message, hint=exc.hint)
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError) as exc:
        reason = str(exc).strip() or type(exc).__name__
        return JobResult(
            job.key,
            error=f"cannot decode image: {reason}",
            hint="the file is corrupt or truncated: re-export it",
        )


def _process(job: Job) -> dict[str, list[tuple[int, int, bytes]]]:
    from PIL import Image

    opts = job.options
    swap = job.orientation >= 5
    big_w, big_h = job.sizes[-1]
    stored_target = (big_h, big_w) if swap else (big_w, big_h)
    src = Image.open(job.path, formats=READABLE)
    try:
        check_pixels(*src.size, opts.max_pixels)
        if src.format == "JPEG":
            src.draft(src.mode, stored_target)
        src.load()
        icc = src.info.get("icc_profile") or None
        if icc is None and src.format == "PNG":
            icc = png_profile(src.info)
        im = normalise_mode(src)
        if im.size != stored_target:
            im = im.resize(stored_target, Image.Resampling.LANCZOS)
        if job.orientation in _TRANSPOSE:
            im = im.transpose(Image.Transpose(_TRANSPOSE[job.orientation]))
        im, icc_out = to_output(im, icc, opts.colour)
        return _encode_all(im, job, icc_out, lossy_source=src.format == "JPEG")
    finally:
        src.close()


def _encode_all(
    im: Any, job: Job, icc: bytes | None, lossy_source: bool
) -> dict[str, list[tuple[int, int, bytes]]]:
    """Resize largest first, each width from the previous one, in this thread; encode each
    (width, format) in a small thread pool meanwhile (Pillow releases the GIL while it resizes
    and encodes). With more than one encode thread, each encode of one width gets its own
    ``Image`` object (``save`` stores its parameters on the image, so two saves of one object at
    once would mix them); the next resize only reads ``im``, and ``encode`` never changes the
    pixels it is given."""
    from PIL import Image

    pending: dict[str, list[tuple[int, int, Future[bytes]]]] = {fmt: [] for fmt in job.formats}
    with ThreadPoolExecutor(max_workers=max(1, job.threads)) as threads:
        for w, h in reversed(job.sizes):
            if im.size != (w, h):
                im = im.resize((w, h), Image.Resampling.LANCZOS)
            im.info = {}
            for i, fmt in enumerate(job.formats):
                own = im if i == 0 or job.threads <= 1 else im.copy()
                pending[fmt].append(
                    (w, h, threads.submit(encode, own, fmt, job.options, icc, lossy_source))
                )
        return {
            fmt: [(w, h, fut.result()) for w, h, fut in reversed(items)]
            for fmt, items in pending.items()
        }

"""The effective image options and the tool versions that key the cache.

``ImageOptions`` is a frozen, picklable copy of what the workers need from ``images:``.
``group_options`` gives, for one output format, exactly the options that change its bytes, so
changing the WebP quality re-encodes WebP variants only: the cache key of a format's variants
holds those options, not the whole ``images:`` section.
"""

from __future__ import annotations

import functools
from typing import Any

from ..config import ImagesConfig
from ..records import dataclass
from .formats import QUALITY_KEY


@dataclass(frozen=True)
class ImageOptions:
    """What the images stage needs from the config, in a form a worker process can receive."""

    widths: tuple[int, ...]
    tokens: tuple[str, ...]
    quality: tuple[tuple[str, int], ...]
    avif_speed: int
    colour: str
    max_pixels: int

    @classmethod
    def from_config(cls, cfg: ImagesConfig) -> ImageOptions:
        return cls(
            widths=tuple(sorted(set(cfg.widths))),
            tokens=tuple(cfg.formats),
            quality=tuple(sorted(cfg.quality)),
            avif_speed=cfg.avif_speed,
            colour=cfg.colour,
            max_pixels=cfg.max_pixels,
        )

    def quality_for(self, fmt: str) -> int:
        """Encoder quality for an output format (80 when the config names none)."""
        return dict(self.quality).get(QUALITY_KEY.get(fmt, fmt), 80)

    def group_options(self, fmt: str) -> dict[str, Any]:
        """The options that affect the bytes of ``fmt`` variants (besides the widths)."""
        opts: dict[str, Any] = {"format": fmt, "colour": self.colour}
        if fmt in QUALITY_KEY:
            opts["quality"] = self.quality_for(fmt)
        if fmt == "avif":
            opts["speed"] = self.avif_speed
        return opts


#: the codec versions that key the cache: name → (module, flag or ``None``, attribute), read as
#: ``PIL.features.version(name)`` reads them (``tests/test_images_plan.py`` checks they agree),
#: without importing ``PIL.Image`` and ``PIL.features`` (~15 ms a process, on every no-op build)
_CODECS = {
    "libjpeg_turbo": ("PIL._imaging", "HAVE_LIBJPEGTURBO", "libjpeg_turbo_version"),
    "webp": ("PIL._webp", None, "webpdecoder_version"),
    "avif": ("PIL._avif", None, "libavif_version"),
    "zlib": ("PIL._imaging", "zip_encoder", "zlib_version"),
    "littlecms2": ("PIL._imagingcms", None, "littlecms_version"),
}


@functools.lru_cache(maxsize=4)
def tool_versions(avif: bool = True) -> dict[str, str]:
    """Pillow's version and the versions of the codecs and colour engine it runs (``"None"``
    for one this Pillow lacks). Without ``avif`` (no AVIF output configured and no source named
    ``.avif``) libavif's is left out: loading it costs ~10 ms and it changes no other bytes."""
    import importlib

    import PIL

    out = {"pillow": PIL.__version__}
    for name, (module, flag, attr) in _CODECS.items():
        if name == "avif" and not avif:
            continue
        try:
            mod = importlib.import_module(module)
        except ImportError:  # PIL.features says None for a module this build lacks
            out[name] = "None"
            continue
        present = flag is None or bool(getattr(mod, flag, False))
        out[name] = str(getattr(mod, attr, None) if present else None)
    return out

"""Image processing for the ``images`` stage, in small modules with one concern each.

- ``formats``: format tokens (``original``/``webp``/``avif``), file extensions, and
  ``variants_for`` (which manifest variants a config token names).
- ``options``: the effective, picklable options and the tool versions that key the cache.
- ``probe``: a cheap header-only look at a source (format, displayed size, orientation,
  animation) with every refusal (unknown format, zero bytes, over ``max_pixels``).
- ``plan``: which widths a source gets (never upscaled).
- ``colour``: pixel-mode normalisation (CMYK, 16-bit gray, palettes) and colour management.
- ``encode``: deterministic, metadata-free encoders.
- ``worker``: one job = decode a source once and produce every variant it still needs.
- ``pool``: runs jobs in-process or over a process pool on all cores.

Pillow is imported lazily; a no-op rebuild (every variant cached) only asks it for its codec
versions (part of the cache key) and never opens an image.
"""

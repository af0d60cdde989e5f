"""``assetpipe.serve``: the backend half (user guide: ``docs/serving.md``).

- ``AssetMiddleware`` (WSGI; ASGI: ``assetpipe.serve.asgi.AssetMiddleware``) serves the build's
  ``public/`` with precompressed br/zstd/gzip negotiated by q-value, year-long immutable caching
  for hashed files, ETag/304/Range/If-Range, and 404 for anything that is not a servable file.
- ``CompressMiddleware`` (WSGI; ASGI: ``assetpipe.serve.asgi.CompressMiddleware``) compresses
  dynamic responses; ``no_compress(environ)`` opts one response out (BREACH).
- ``ttl_cache(seconds, maxsize=1024)`` memoises sync and async functions, with ``.stats()``.
- ``ResponseCache`` (+ ``Rule``, ``MemoryBackend``, ``RedisBackend``,
  ``ResponseCacheMiddleware``; ASGI: ``assetpipe.serve.rcache.asgi``; Flask:
  ``assetpipe.serve.rcache.flask.cached``) stores dynamic responses once per encoding.
- ``stats_app`` is a WSGI app reporting requests, bytes, compression savings and cache hit rates;
  ``assetpipe.serve.metrics`` has the Prometheus endpoint and middleware.
"""

from __future__ import annotations

from .cache import all_cache_stats, ttl_cache
from .compress import no_compress
from .files import FileTable, build_table
from .rcache import MemoryBackend, RedisBackend, ResponseCache, ResponseCacheMiddleware, Rule
from .stats import STATS, stats_app
from .wsgi import AssetMiddleware, CompressMiddleware

__all__ = [
    "STATS",
    "AssetMiddleware",
    "CompressMiddleware",
    "FileTable",
    "MemoryBackend",
    "RedisBackend",
    "ResponseCache",
    "ResponseCacheMiddleware",
    "Rule",
    "all_cache_stats",
    "build_table",
    "no_compress",
    "stats_app",
    "ttl_cache",
]

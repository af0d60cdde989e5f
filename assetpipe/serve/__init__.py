"""``assetpipe.serve``: the backend half (user guide: ``docs/serving.md``).

- ``AssetMiddleware`` (WSGI; ASGI: ``assetpipe.serve.asgi.AssetMiddleware``) serves the build's
  ``public/`` with precompressed br/zstd/gzip negotiated by q-value, year-long immutable caching
  for hashed files, ETag/304/Range/If-Range, and 404 for anything that is not a servable file.
- ``CompressMiddleware`` (WSGI; ASGI: ``assetpipe.serve.asgi.CompressMiddleware``) compresses
  dynamic responses, but not one that sets a cookie or is private/no-store (BREACH;
  ``breach_guard=False`` turns that off); ``no_compress(environ)`` opts one response out.
- ``ttl_cache(seconds, maxsize=1024)`` memoises sync and async functions, with ``.stats()``.
- ``ResponseCache`` (+ ``Rule``, ``MemoryBackend``, ``RedisBackend``,
  ``ResponseCacheMiddleware``; ASGI: ``assetpipe.serve.rcache.asgi``; Flask:
  ``assetpipe.serve.rcache.flask.cached``) stores dynamic responses once per encoding.
- ``stats_app`` is a WSGI app reporting requests, bytes, compression savings and cache hit rates;
  ``assetpipe.serve.metrics`` has the Prometheus endpoint and middleware.

Modules, one concern each (the build folder itself is read by ``assetpipe.manifest.BuildView``):

- ``files``: the immutable file table built from a build's ``public/`` (what can be served,
  with which headers); ``holder``: the current table, followed across build swaps, shared by
- ``wsgi`` and ``asgi``: the adapters (``AssetMiddleware``, ``CompressMiddleware``), thin
  layers over ``http`` (conditional requests, Range), ``negotiate`` (``Accept-Encoding``) and
  ``compress`` (the dynamic-compression policy and encoders);
- ``body`` (the WSGI response bodies the middlewares wrap), ``etag`` (validators for dynamic
  responses), ``reload`` (the live-reload client), ``cache``
  (``ttl_cache``), ``rcache/`` (the response cache);
- ``stats`` (the JSON counters; ``tally``: the fast path's counter), ``observe`` (the events
  ``stats`` and ``metrics`` count);
- ``server`` (``assetpipe serve`` on uvicorn; ``sockets``: listening sockets without Nagle),
  ``pages`` (rendering ``pages:`` of pipeline.yaml), ``userapp`` (the user's own app, for
  ``watch`` and ``audit`` with ``--app``).
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

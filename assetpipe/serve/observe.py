"""The serving code's events, for whoever counts them (``stats.py``'s JSON, ``metrics.py``'s
Prometheus): a tiny publish/subscribe with no dependencies, so the hot path pays one loop over
the (usually one or two) listeners.

Events:
- ``cache(name, event, n)``: a response cache's ``hit``, ``miss``, ``wait``, ``bypass``,
  ``store``, ``eviction``, ``invalidation``, ``not_modified``, ``timeout``, ``error``.
- ``request(route, status, encoding, seconds, size_in, size_out)``: one response measured by
  ``metrics.MetricsMiddleware`` (``size_in``: identity bytes; ``size_out``: bytes sent).
- ``compressed(source, size_in, size_out)``: a response sent encoded (``dynamic``:
  ``CompressMiddleware``; ``response_cache``: a stored encoding).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_cache_listeners: list[Callable[[str, str, int], Any]] = []
_request_listeners: list[Callable[[str, int, str, float, int, int], Any]] = []
_compressed_listeners: list[Callable[[str, int, int], Any]] = []


def on_compressed(listener: Callable[[str, int, int], Any]) -> None:
    if listener not in _compressed_listeners:
        _compressed_listeners.append(listener)


def compressed(source: str, size_in: int, size_out: int) -> None:
    for listener in _compressed_listeners:
        listener(source, size_in, size_out)


def on_cache(listener: Callable[[str, str, int], Any]) -> None:
    if listener not in _cache_listeners:
        _cache_listeners.append(listener)


def on_request(listener: Callable[[str, int, str, float, int, int], Any]) -> None:
    if listener not in _request_listeners:
        _request_listeners.append(listener)


def cache(name: str, event: str, n: int = 1) -> None:
    for listener in _cache_listeners:
        listener(name, event, n)


def request(
    route: str, status: int, encoding: str, seconds: float, size_in: int, size_out: int
) -> None:
    for listener in _request_listeners:
        listener(route, status, encoding, seconds, size_in, size_out)

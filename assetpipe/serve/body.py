"""WSGI response bodies the middlewares wrap: ``prime`` pulls an app's body until it has
called ``start_response``, ``Chained`` sends the pulled chunks then the rest (compressing them
when given an encoder), and ``close_body`` closes an app's iterable as PEP 3333 requires."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from .compress import Encoder
from .stats import STATS


def prime(result: Iterable[bytes], state: dict[str, Any]) -> tuple[list[bytes], Iterator[bytes]]:
    """Pull chunks until the app has called ``start_response`` (lazy apps call it on their
    first ``next``); returns the pulled chunks and the rest of the iterator."""
    it = iter(result)
    first: list[bytes] = []
    if state:
        return first, it
    try:
        for chunk in it:
            first.append(chunk)
            if state:
                break
    except BaseException:
        close_body(result)
        raise
    return first, it


def close_body(result: Iterable[bytes]) -> None:
    close = getattr(result, "close", None)
    if close is not None:
        close()


class Chained:
    """``first`` then ``rest``, closing ``original`` (the app's iterable) when closed."""

    def __init__(
        self,
        first: list[bytes],
        rest: Iterator[bytes],
        original: Iterable[bytes],
        encoder: Encoder | None = None,
        size_in: list[int] | None = None,
    ) -> None:
        self.first, self.rest, self.original = first, rest, original
        self.encoder = encoder

    def __iter__(self) -> Iterator[bytes]:
        enc = self.encoder
        if enc is None:
            yield from self.first
            yield from self.rest
            return
        size_in = size_out = 0
        for source in (self.first, self.rest):
            for chunk in source:
                if not chunk:
                    continue
                size_in += len(chunk)
                out = enc.compress(chunk) + enc.flush()
                size_out += len(out)
                if out:
                    yield out
        tail = enc.finish()
        size_out += len(tail)
        STATS.dynamic(size_in, size_out)
        if tail:
            yield tail

    def close(self) -> None:
        close_body(self.original)

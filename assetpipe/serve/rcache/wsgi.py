"""The response cache for WSGI apps: ``ResponseCacheMiddleware`` (rules by path) and the
request/response plumbing the Flask decorator shares."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from ..compress import is_file_wrapper
from ..passthrough import Passthrough
from .core import ResponseCache
from .rules import Captured, Request, Rule

Environ = dict[str, Any]
WSGIApp = Callable[[Environ, Callable[..., Any]], Iterable[bytes]]


#: header name → environ key (memoised: the cache reads the same few names on every request)
_ENVIRON_KEYS: dict[str, str] = {"content-type": "CONTENT_TYPE"}


class EnvironHeaders(Mapping[str, str]):
    """A WSGI environ's request headers by lower-case name, read on demand (a lookup reads a
    few headers of the twenty-odd a request carries: copying them all cost more than the rest
    of a hit)."""

    __slots__ = ("environ",)

    def __init__(self, environ: Environ) -> None:
        self.environ = environ

    @staticmethod
    def _key(name: str) -> str:
        found = _ENVIRON_KEYS.get(name)
        if found is None:
            found = "HTTP_" + name.upper().replace("-", "_")
            if len(_ENVIRON_KEYS) < 1024:
                _ENVIRON_KEYS[name] = found
        return found

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value  # type: ignore[no-any-return]

    def get(self, name: str, default: Any = None) -> Any:
        key = _ENVIRON_KEYS.get(name)  # only lower-case names are memoised
        if key is None:
            if name != name.lower():
                return default
            key = self._key(name)
        return self.environ.get(key, default)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __iter__(self) -> Iterator[str]:
        for k in list(self.environ):
            if k.startswith("HTTP_") and k != "HTTP_CONTENT_TYPE":
                yield k[5:].replace("_", "-").lower()
        if "CONTENT_TYPE" in self.environ:
            yield "content-type"

    def __len__(self) -> int:
        return sum(1 for _ in self)


def wsgi_request(environ: Environ, method: str | None = None) -> Request:
    """The cache's view of a WSGI request."""
    headers = EnvironHeaders(environ)
    authenticated = "HTTP_AUTHORIZATION" in environ or bool(environ.get("REMOTE_USER"))
    path = environ.get("PATH_INFO") or "/"
    with contextlib.suppress(UnicodeError):  # WSGI strings: latin-1 views of UTF-8 bytes
        path = path.encode("latin-1").decode("utf-8")
    return Request(
        method or environ.get("REQUEST_METHOD", "GET"),
        path,
        environ.get("QUERY_STRING", ""),
        headers,
        authenticated,
        environ,
    )


class PathRules:
    """Rules by path: a key ending in ``/`` or ``*`` is a prefix (the longest wins), any other
    key an exact path."""

    def __init__(self, rules: Mapping[str, Rule] | Sequence[tuple[str, Rule]]) -> None:
        items = list(rules.items()) if isinstance(rules, Mapping) else list(rules)
        self.exact = {p: r for p, r in items if not p.endswith(("/", "*"))}
        self.prefixes = sorted(
            ((p.rstrip("*"), r) for p, r in items if p.endswith(("/", "*"))),
            key=lambda pr: -len(pr[0]),
        )

    def match(self, path: str) -> Rule | None:
        rule = self.exact.get(path)
        if rule is not None:
            return rule
        for prefix, r in self.prefixes:
            if path.startswith(prefix):
                return r
        return None


class ResponseCacheMiddleware(Passthrough):
    """Cache a WSGI app's responses by path rules::

        app = ResponseCacheMiddleware(app, ResponseCache(RedisBackend(url=...)), {
            "/api/items": Rule(ttl=30, tags=["items"]),
            "/api/items/": Rule(ttl=30, tags=["items"]),         # a prefix
            "/api/me": Rule(ttl=10, user=lambda req: req.raw.get("REMOTE_USER")),
        })

    Put it *outside* any compression middleware (it stores and serves compressed bytes itself;
    a ``CompressMiddleware`` outside leaves responses with ``Content-Encoding`` alone)."""

    def __init__(
        self,
        app: WSGIApp,
        cache: ResponseCache,
        rules: Mapping[str, Rule] | Sequence[tuple[str, Rule]],
    ) -> None:
        self.app = app
        self.cache = cache
        self.rules = PathRules(rules)

    def __call__(self, environ: Environ, start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        rule = (
            self.rules.match(environ.get("PATH_INFO") or "/") if method in ("GET", "HEAD") else None
        )
        if rule is None:
            return self.app(environ, start_response)
        req = wsgi_request(environ)
        passed: dict[str, Any] = {}

        def run_app() -> Captured | None:
            env = {**environ, "REQUEST_METHOD": "GET"} if method == "HEAD" else environ
            return capture(self.app, env, self.cache.max_body, passed)

        reply = self.cache.serve(req, rule, run_app)
        if reply is None:
            if "status" in passed:  # a stream: passed on as it is
                start_response(passed["status"], passed["headers"])
                if method == "HEAD":
                    _close(passed["result"])
                    return []
                return passed["result"]  # type: ignore[no-any-return]
            return self.app(environ, start_response)
        start_response(reply.status, reply.headers)
        return [reply.body]


def capture(
    app: WSGIApp, environ: Environ, max_body: int, passed: dict[str, Any]
) -> Captured | None:
    """Run ``app`` and buffer its response; a file wrapper, a body of unknown length or one over
    ``max_body`` is not read: it is left in ``passed`` (status, headers, result) and None
    returned."""
    state: dict[str, Any] = {}
    written: list[bytes] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], Any]:
        state["status"], state["headers"] = status, list(headers)
        return written.append

    result = app(environ, start_response)
    it = iter(result)
    first: list[bytes] = []
    try:
        while "status" not in state:
            first.append(next(it))
    except StopIteration:
        pass
    except BaseException:
        _close(result)
        raise
    length = next((v for k, v in state.get("headers", ()) if k.lower() == "content-length"), None)
    bufferable = isinstance(result, list | tuple) or (
        length is not None and length.isdigit() and int(length) <= max_body
    )
    if not bufferable or is_file_wrapper(result, environ):
        passed.update(
            status=state["status"],
            headers=state["headers"],
            result=_Rest([*written, *first], it, result),
        )
        return None
    try:
        body = b"".join([*written, *first, *it])
    finally:
        _close(result)
    return Captured(state["status"], state["headers"], body)


def _close(result: Any) -> None:
    close = getattr(result, "close", None)
    if close is not None:
        close()


class _Rest:
    def __init__(self, first: list[bytes], rest: Any, original: Any) -> None:
        self.first, self.rest, self.original = first, rest, original

    def __iter__(self) -> Any:
        yield from self.first
        yield from self.rest

    def close(self) -> None:
        _close(self.original)

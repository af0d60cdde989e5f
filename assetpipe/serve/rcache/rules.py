"""What the response cache knows of a request and a response, and the rules of sharing:
``Request`` and ``Captured`` (built by the adapters), ``Rule`` (a route's TTL, key, user and
tags) with the key parts it understands, and ``uncacheable``/``response_vary`` (whether a
response may be shared, and which request headers it varies on). ``core`` has the flow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode


@dataclass
class Request:
    """What the cache needs to know of a request (built by the adapters)."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]  # lower-case names
    authenticated: bool = False
    #: the WSGI environ or ASGI scope, for key/user/tags callables
    raw: Any = None

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass
class Captured:
    """An app's buffered response."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes


KeySpec = Sequence[str] | Callable[[Request], str] | None


@dataclass
class Rule:
    """How one route (or path prefix) is cached: see the module doc."""

    ttl: float = 60.0
    key: KeySpec = None
    user: Callable[[Request], str | None] | None = None
    tags: Sequence[str] | Callable[[Request], Iterable[str]] = ()
    statuses: frozenset[int] = field(default_factory=lambda: frozenset({200}))

    def resource(self, req: Request) -> str:
        spec = self.key
        if callable(spec):
            return str(spec(req))
        if spec is None:  # the default: path?sorted-query
            query = sorted_query(req.query) if req.query else ""
            return req.path + ("?" + query if query else "")
        return "|".join(_part(p, req) for p in spec)

    def tag_list(self, req: Request) -> tuple[str, ...]:
        return tuple(self.tags(req) if callable(self.tags) else self.tags)


#: query strings seen, normalised (a bounded memo: clients send a limited set of them, and
#: parsing one cost as much as the rest of a cache hit)
_SORTED: dict[str, str] = {}
_SORTED_MAX = 4096


def sorted_query(query: str) -> str:
    """The query string with its parameters sorted (the default key's form of it)."""
    found = _SORTED.get(query)
    if found is None:
        found = urlencode(sorted(parse_qsl(query, keep_blank_values=True)))
        if len(query) > 512:
            return found
        if len(_SORTED) >= _SORTED_MAX:
            _SORTED.clear()
        _SORTED[query] = found
    return found


def _part(spec: str, req: Request) -> str:
    kind, _, name = spec.partition(":")
    if kind == "path":
        return req.path
    if kind == "query" and not name:
        return sorted_query(req.query) if req.query else ""
    if kind == "query":
        return (
            name
            + "="
            + ",".join(v for k, v in parse_qsl(req.query, keep_blank_values=True) if k == name)
        )
    if kind == "header":
        return name.lower() + "=" + req.header(name)
    if kind == "cookie":
        from http.cookies import SimpleCookie

        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(req.header("cookie"))
        except Exception:  # a malformed Cookie header: no value
            return name + "="
        morsel = jar.get(name)
        return name + "=" + (morsel.value if morsel is not None else "")
    raise ValueError(
        f"unknown cache key part {spec!r} (path, query, query:NAME, header:NAME, cookie:NAME)"
    )


def uncacheable(captured: Captured, rule: Rule, has_user: bool) -> str | None:
    """Why a response may not be shared (None: it may)."""
    if int(captured.status[:3]) not in rule.statuses:
        return "status"
    for name, value in captured.headers:
        low = name.lower()
        if low == "set-cookie":
            return "set-cookie"
        if low == "cache-control":
            directives = {d.strip().split("=", 1)[0].lower() for d in value.split(",")}
            if directives & {"private", "no-store", "no-cache"}:
                return "cache-control"
        if low == "vary":
            fields = {f.strip().lower() for f in value.split(",")}
            if "*" in fields:
                return "vary"
            if fields & {"cookie", "authorization"} and not has_user:
                return "user"
    return None


def response_vary(headers: Iterable[tuple[str, str]]) -> tuple[str, ...]:
    out: list[str] = []
    for name, value in headers:
        if name.lower() == "vary":
            out += [
                f.strip().lower()
                for f in value.split(",")
                if f.strip() and f.strip().lower() != "accept-encoding"
            ]
    return tuple(sorted(set(out)))

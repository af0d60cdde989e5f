"""The response cache's view of a WSGI request (headers read on demand from the environ) and
the default key's sorted query (memoised): the same answers as the dict and the parse they
replaced."""

from __future__ import annotations

import sys
from urllib.parse import parse_qsl, urlencode

from assetpipe.serve.rcache import Rule
from assetpipe.serve.rcache.rules import sorted_query
from assetpipe.serve.rcache.wsgi import wsgi_request

ENVIRON = {
    "REQUEST_METHOD": "GET",
    "PATH_INFO": "/api/items",
    "QUERY_STRING": "b=2&a=1&a=0&c=",
    "CONTENT_TYPE": "application/json",
    "HTTP_HOST": "Example.org",
    "HTTP_ACCEPT_ENCODING": "br, gzip",
    "HTTP_X_TENANT": "acme",
    "SERVER_NAME": "example.org",
}


def test_headers_read_from_the_environ_as_a_lower_case_mapping() -> None:
    req = wsgi_request(dict(ENVIRON))
    h = req.headers
    old = {
        k[5:].replace("_", "-").lower(): v for k, v in ENVIRON.items() if k.startswith("HTTP_")
    } | {"content-type": "application/json"}
    assert dict(h) == old and len(h) == 4
    assert h["x-tenant"] == "acme" and h.get("x-tenant") == "acme" and "x-tenant" in h
    assert req.header("X-Tenant") == "acme" and req.header("accept-encoding") == "br, gzip"
    assert h.get("X-Tenant") is None and "X-Tenant" not in h  # names are lower-case, as before
    try:
        h["X-Tenant"]
        raise AssertionError("a mixed-case name found")
    except KeyError:
        pass
    assert h.get("X-Tenant") is None
    assert h.get("if-none-match") is None and "if-none-match" not in h
    assert req.header("if-none-match") == ""
    assert not req.authenticated
    assert wsgi_request({**ENVIRON, "HTTP_AUTHORIZATION": "Bearer t"}).authenticated
    assert wsgi_request({**ENVIRON, "REMOTE_USER": "ann"}).authenticated


def test_the_default_key_sorts_the_query_as_before() -> None:
    queries = ["", "b=2&a=1&a=0&c=", "q=%C3%A9t%C3%A9+x", "x=1;y=2", "z" * 600 + "=1&a=2"]
    for q in queries:
        expected = urlencode(sorted(parse_qsl(q, keep_blank_values=True)))
        assert sorted_query(q) == expected
        assert sorted_query(q) == expected  # memoised (or, past 512 characters, parsed again)
    req = wsgi_request(dict(ENVIRON))
    assert Rule().resource(req) == "/api/items?a=0&a=1&b=2&c="
    assert Rule().resource(wsgi_request({**ENVIRON, "QUERY_STRING": ""})) == "/api/items"
    assert Rule(key=("path", "header:X-Tenant")).resource(req) == "/api/items|x-tenant=acme"


def test_memory_backend_reads_without_the_lock_under_concurrent_changes() -> None:
    """Lookups from eight threads while two others store, invalidate and let entries expire:
    no error, and a lookup only ever returns an entry stored at that key."""
    import threading
    import time

    from assetpipe.serve.rcache import MemoryBackend, ResponseCache
    from assetpipe.serve.rcache.rules import Captured

    backend = MemoryBackend(maxsize=8)  # evictions too
    cache = ResponseCache(backend, name="lockless-reads")
    stored = {
        f"k{i}": [
            cache.make_entry(Captured("200 OK", [], f"{i}-{v}".encode()), ()) for v in range(3)
        ]
        for i in range(12)
    }
    errors: list[BaseException] = []
    wrong: list[str] = []
    stop = time.monotonic() + 1.0

    def read() -> None:
        try:
            while time.monotonic() < stop:
                for key, entries in stored.items():
                    _, got = backend.lookup("b" + key, key)
                    if got is not None and all(got is not e for e in entries):
                        wrong.append(key)
                    got = backend.fetch(key)
                    if got is not None and all(got is not e for e in entries):
                        wrong.append(key)
        except BaseException as exc:
            errors.append(exc)

    def write(ttl: float) -> None:
        try:
            n = 0
            while time.monotonic() < stop:
                for key, entries in stored.items():
                    backend.store("b" + key, key, entries[n % 3], ttl)
                    if n % 4 == 0:
                        backend.invalidate("b" + key)
                n += 1
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(8)]
    threads += [threading.Thread(target=write, args=(ttl,)) for ttl in (60, 0.0005)]
    # switch threads every microsecond instead of every 5 ms, so a race between two steps of
    # a call shows up in this one second (an eviction racing a reader's move_to_end did once
    # in CI at the default interval)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        sys.setswitchinterval(interval)
    assert not errors and not wrong
    assert backend.size() <= 8 and backend._bytes == sum(
        e.size for _, e in backend._entries.values()
    )

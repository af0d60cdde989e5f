"""The response cache's view of a WSGI request (headers read on demand from the environ) and
the default key's sorted query (memoised): the same answers as the dict and the parse they
replaced."""

from __future__ import annotations

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

"""``assetpipe.serve.csp``: a page's Content-Security-Policy amended for the live-reload client
only where it would block it (the browser side: ``test_serve_reload_browser.py``)."""

from __future__ import annotations

from assetpipe.serve.csp import allow_client, amend_policy

H = "'sha256-abc'"


def test_a_hash_only_where_inline_scripts_are_blocked() -> None:
    assert amend_policy("script-src 'self'", H, None) == f"script-src 'self' {H}"
    # 'unsafe-inline' alone allows it: a hash there would turn it off for the page's scripts
    assert amend_policy("script-src 'self' 'unsafe-inline'", H, None) == (
        "script-src 'self' 'unsafe-inline'"
    )
    # ... but not beside a nonce, which already turns it off
    assert amend_policy("script-src 'unsafe-inline' 'nonce-x'", H, None).endswith(H)
    assert amend_policy("img-src 'self'", H, None) == "img-src 'self'"  # scripts unrestricted


def test_default_src_gets_a_directive_of_its_own() -> None:
    got = amend_policy("default-src 'none'; connect-src 'self'", H, "http://127.0.0.1:9")
    assert got == (f"default-src 'none'; connect-src 'self' http://127.0.0.1:9; script-src {H}")
    assert (
        amend_policy("default-src 'self'", H, None) == f"default-src 'self'; script-src 'self' {H}"
    )
    assert amend_policy("script-src-elem 'self'; script-src 'none'", H, None) == (
        f"script-src-elem 'self' {H}; script-src 'none'"
    )


def test_the_streams_origin_only_when_not_allowed() -> None:
    assert amend_policy("connect-src *", H, "http://127.0.0.1:9") == "connect-src *"
    assert amend_policy("connect-src http://127.0.0.1:9", H, "http://127.0.0.1:9") == (
        "connect-src http://127.0.0.1:9"
    )


def test_headers_each_policy_of_each_header() -> None:
    headers = [
        ("Content-Type", "text/html"),
        ("Content-Security-Policy", "script-src 'self', default-src 'none'"),
        ("Content-Security-Policy-Report-Only", "script-src 'self'"),
    ]
    out = dict(allow_client(headers, "x()", "/__assetpipe/events"))
    assert out["Content-Type"] == "text/html"
    first, second = out["Content-Security-Policy"].split(", ")
    assert first.startswith("script-src 'self' 'sha256-") and "script-src 'sha256-" in second
    assert "'sha256-" in out["Content-Security-Policy-Report-Only"]
    assert allow_client([("Content-Type", "text/html")], "x()", "/e") == [
        ("Content-Type", "text/html")
    ]


def test_a_meta_policy_is_amended_and_every_other_byte_kept() -> None:
    """``amend_meta``: the policy of a ``<meta http-equiv="Content-Security-Policy">`` (any case,
    any quoting, entities decoded) gets the client's hash and stream origin; other metas, and a
    policy that lets the client run already, keep every byte."""
    from assetpipe.serve.csp import amend_meta

    js, url = "window.x = 1;", "http://127.0.0.1:9/__assetpipe/events"
    page = (
        b"<head><meta charset=utf-8><meta name=csp content=\"script-src 'self'\">"
        b"<META HTTP-EQUIV='content-security-policy' CONTENT='script-src &#39;self&#39;'>"
        b"</head>"
    )
    out = amend_meta(page, js, url)
    assert out.startswith(
        b"<head><meta charset=utf-8><meta name=csp content=\"script-src 'self'\">"
    )
    amended = out.split(b"<META ", 1)[1]
    assert amended.startswith(
        b"HTTP-EQUIV='content-security-policy' content=\"script-src 'self' 'sha256-"
    )
    assert b"connect-src http://127.0.0.1:9" not in amended  # no connect-src nor default-src
    open_policy = (
        b'<meta http-equiv="Content-Security-Policy" content="script-src \'unsafe-inline\'">'
    )
    assert amend_meta(open_policy, js, url) == open_policy
    assert amend_meta(b"<p>no policy</p>", js, url) == b"<p>no policy</p>"

"""Let the injected live-reload client run under the page's own Content-Security-Policy.

The client is an inline ``<script>`` with an ``EventSource`` on the watcher's stream
(``assetpipe.serve.reload``). A policy without ``'unsafe-inline'`` for scripts (Whoogle sends
``default-src 'none'; script-src 'self'; connect-src 'self'`` on every page) blocked it: under
``assetpipe watch`` no save reloaded the page, and the console showed a CSP error. The page's
``Content-Security-Policy`` (and ``-Report-Only``) headers are amended for that one script:

- the script's own hash (``'sha256-…'``) is added to the directive that governs script elements
  (``script-src-elem``, else ``script-src``; with neither, a ``script-src`` copying
  ``default-src``), only where inline scripts are blocked: adding a hash to a list that allows
  ``'unsafe-inline'`` would turn that off for the page's own inline scripts;
- the stream's origin is added to ``connect-src`` (else ``default-src``) when it is on another
  origin (``assetpipe watch --no-serve`` beside the app) and the list does not allow it.

Nothing else of the policy changes, so every other inline script stays blocked as before. A
policy in a ``<meta http-equiv="Content-Security-Policy">`` of the page is amended the same way
(``amend_meta``: its ``content``, in the HTML the client is injected into).
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from urllib.parse import urlsplit

HEADERS = ("content-security-policy", "content-security-policy-report-only")
_HASH_OR_NONCE = ("'sha256-", "'sha384-", "'sha512-", "'nonce-")


def _blocks_inline(sources: list[str]) -> bool:
    low = [s.lower() for s in sources]
    if "'unsafe-inline'" not in low:
        return True
    return "'strict-dynamic'" in low or any(s.startswith(_HASH_OR_NONCE) for s in low)


def _allows_origin(sources: list[str], origin: str) -> bool:
    return any(s == "*" or s.rstrip("/").lower() == origin for s in sources)


def amend_policy(policy: str, script_hash: str, origin: str | None) -> str:
    """One serialized policy with the client's ``script_hash`` (a CSP source expression) and
    its stream's ``origin`` (``None``: the page's own) allowed, as the module doc says."""
    directives = [d.split() for d in policy.split(";") if d.strip()]
    by_name = {d[0].lower(): d for d in directives}

    def add(names: tuple[str, ...], source: str, needed: bool) -> None:
        found = next((by_name[n] for n in names if n in by_name), None)
        if found is None or not needed:
            return
        if found[0].lower() == "default-src" and names[0] != "default-src":
            found = [names[-2], *found[1:]]  # a directive of its own, as default-src was
            directives.append(found)
            by_name[found[0]] = found
        found[1:] = [s for s in found[1:] if s.lower() != "'none'"] + [source]

    scripts = ("script-src-elem", "script-src", "default-src")
    governing = next((by_name[n] for n in scripts if n in by_name), None)
    add(scripts, script_hash, governing is not None and _blocks_inline(governing[1:]))
    if origin is not None:
        connect = by_name.get("connect-src") or by_name.get("default-src")
        allowed = connect is None or _allows_origin(connect[1:], origin)
        add(("connect-src", "default-src"), origin, not allowed)
    return "; ".join(" ".join(d) for d in directives)


def _sources(js: str, stream_url: str) -> tuple[str, str | None]:
    """The client's hash source (``'sha256-…'``) and its stream's origin (``None``: the
    page's own, a relative URL)."""
    digest = base64.b64encode(hashlib.sha256(js.encode()).digest()).decode()
    parts = urlsplit(stream_url)
    origin = f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else None
    return f"'sha256-{digest}'", origin


def allow_client(headers: list[tuple[str, str]], js: str, stream_url: str) -> list[tuple[str, str]]:
    """``headers`` with each Content-Security-Policy amended to let the inline client ``js``
    (the script element's text) connect to ``stream_url``."""
    if not any(k.lower() in HEADERS for k, _ in headers):
        return headers
    script_hash, origin = _sources(js, stream_url)
    return [
        (k, ", ".join(amend_policy(p, script_hash, origin) for p in v.split(",")))
        if k.lower() in HEADERS
        else (k, v)
        for k, v in headers
    ]


_META = re.compile(rb"<meta\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(
    rb"""([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""", re.IGNORECASE
)


def _value(attr: re.Match[bytes]) -> bytes:
    """An attribute's value as written (quoted or not), entities not decoded."""
    return attr.group(2) or attr.group(3) or attr.group(4) or b""


def amend_meta(page: bytes, js: str, stream_url: str) -> bytes:
    """``page`` (HTML) with the policy of each ``<meta http-equiv="Content-Security-Policy">``
    amended as ``allow_client`` amends a header; any other byte as it was."""
    if b"content-security-policy" not in page.lower():
        return page
    script_hash, origin = _sources(js, stream_url)

    def meta(m: re.Match[bytes]) -> bytes:
        tag = m.group(0)
        attrs = {a.group(1).lower(): a for a in _ATTR.finditer(tag, 5)}
        equiv, content = attrs.get(b"http-equiv"), attrs.get(b"content")
        if equiv is None or content is None:
            return tag
        if _value(equiv).decode("latin-1").strip().lower() != "content-security-policy":
            return tag
        policy = html.unescape(_value(content).decode("utf-8", "replace"))
        amended = amend_policy(policy, script_hash, origin)
        if amended == "; ".join(" ".join(d.split()) for d in policy.split(";") if d.strip()):
            return tag  # it lets the client run already
        quoted = '"' + amended.replace("&", "&amp;").replace('"', "&quot;") + '"'
        start, end = content.span()
        return tag[:start] + b"content=" + quoted.encode() + tag[end:]

    return _META.sub(meta, page)

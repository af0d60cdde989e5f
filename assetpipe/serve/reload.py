"""The live-reload client that ``AssetMiddleware(dev=True, reload_url=...)`` injects into HTML.

**Protocol** (what ``assetpipe watch``'s ``GET /__assetpipe/events`` emits, as server-sent
events; the client is an ``EventSource`` on ``reload_url``):

- ``event: reload`` (any data) → the page reloads (``location.reload()``).
- ``event: css`` with data JSON ``{"old": href, "new": href, "integrity": sri-or-null,
  "source": href-or-null}`` → every ``<link rel=stylesheet>`` whose href is ``old`` or
  ``source`` (the stylesheet's unhashed URL: a link the build could not rewrite, Whoogle's
  ``{{ cb_url('main.css') }}``) (as written, or as an absolute URL, or ending in it, or with a
  query ``old`` has not: webassets' ``?96d8608e``) is replaced by a clone pointing at ``new``
  (with ``integrity`` when given, removed when null); the old link is removed once the new one
  has loaded, so nothing flashes unstyled. With ``"prefix"`` (the ``public_path`` that ``old``
  and ``new`` start with), a link whose path ends in the rest of ``old`` (the hashed file,
  ``css/base-HASH.css``) under another folder is swapped too, to the rest of ``new`` in that
  folder: a Pyramid static view at ``/static/1.3.12/`` (pypicloud) names the build's files
  there, not at ``public_path``.
- ``event: error`` with data JSON ``{"message": text}`` → a fixed overlay shows the build error
  (text, never HTML); the next ``reload`` or ``css`` event, or ``event: ok``, removes it.
- The browser's EventSource reconnects by itself when the server restarts.

Injection: into a 200 ``text/html`` response without ``Content-Encoding``, the ``<script>`` goes
right before the last ``</body>`` (or at the end when there is none); Content-Length is fixed, a
strong ETag dropped and the page's Content-Security-Policy (a header, or a ``<meta
http-equiv>`` in the page) amended to let the client run (``assetpipe.serve.csp``). Put ``CompressMiddleware`` *outside* ``AssetMiddleware`` so it compresses
after injection (a compressed body is left alone).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from .csp import allow_client, amend_meta

_CLIENT = """(function(){
if(!window.EventSource||window.__assetpipeReload)return;window.__assetpipeReload=1;
var es=new EventSource(%(url)s),box=null;
function hide(){if(box){box.remove();box=null;}}
function same(h,want){if(!h)return false;if(h===want)return true;
try{var a=new URL(h,location.href),b=new URL(want,location.href);
if(a.href===b.href)return true;
if(!b.search&&a.origin===b.origin&&a.pathname===b.pathname)return true;}catch(e){}
return h.slice(-want.length)===want;}
function moved(h,d){var p=d.prefix;if(!h||!p||d.old.indexOf(p)||d.new.indexOf(p))return null;
var rel=d.old.slice(p.length);try{var a=new URL(h,location.href);}catch(e){return null;}
if(!rel||a.pathname.slice(-rel.length-1)!=='/'+rel)return null;
return a.pathname.slice(0,-rel.length)+d.new.slice(p.length);}
es.addEventListener('reload',function(){hide();location.reload();});
es.addEventListener('ok',hide);
es.addEventListener('css',function(ev){hide();var d=JSON.parse(ev.data);
document.querySelectorAll('link[rel~="stylesheet"]').forEach(function(l){
var h=l.getAttribute('href'),to=same(h,d.old)||(d.source&&same(h,d.source))?d.new:moved(h,d);
if(!to)return;var n=l.cloneNode();n.href=to;
if(d.integrity){n.integrity=d.integrity;}else{n.removeAttribute('integrity');}
n.addEventListener('load',function(){l.remove();});
n.addEventListener('error',function(){l.remove();});l.after(n);});});
es.addEventListener('error',function(ev){if(!ev.data)return;var d;
try{d=JSON.parse(ev.data);}catch(e){d={message:String(ev.data)};}hide();
box=document.createElement('div');box.id='assetpipe-error-overlay';
box.setAttribute('style','position:fixed;inset:0;z-index:2147483647;overflow:auto;'+
'background:rgba(20,20,20,.92);color:#fff;font:14px/1.5 monospace;padding:2em;'+
'white-space:pre-wrap');
var t=document.createElement('div');t.setAttribute('style','color:#ff6b6b;font-weight:bold');
t.textContent='assetpipe: build failed';var m=document.createElement('div');
m.textContent=d.message;box.appendChild(t);box.appendChild(m);
(document.body||document.documentElement).appendChild(box);});
})();"""


#: each element ``client_script`` made → its script's text and stream URL (for the page's CSP)
_MADE: dict[bytes, tuple[str, str]] = {}


def client_script(reload_url: str) -> bytes:
    """The ``<script>`` element that connects to ``reload_url``."""
    url = json.dumps(reload_url).replace("<", "\\u003c")
    js = _CLIENT % {"url": url}
    element = f'<script data-assetpipe="reload">{js}</script>'.encode()
    _MADE[element] = (js, reload_url)
    return element


def injected_headers(
    headers: list[tuple[str, str]], length: int, script: bytes
) -> list[tuple[str, str]]:
    """The headers of an HTML response whose body, now ``length`` bytes, got ``script``: the
    Content-Length replaced, a strong ETag dropped, and a Content-Security-Policy amended to
    let a ``client_script`` element run (``assetpipe.serve.csp``)."""
    out = [
        (k, v)
        for k, v in headers
        if k.lower() != "content-length" and not (k.lower() == "etag" and not v.startswith("W/"))
    ]
    out.append(("Content-Length", str(length)))
    made = _MADE.get(script)
    return allow_client(out, *made) if made is not None else out


def inject(html: bytes, script: bytes) -> bytes:
    """``html`` with ``script`` before its last ``</body>`` (or appended), and a policy in a
    ``<meta http-equiv="Content-Security-Policy">`` amended to let a ``client_script`` run."""
    made = _MADE.get(script)
    if made is not None:
        html = amend_meta(html, *made)
    idx = html.lower().rfind(b"</body>")
    if idx < 0:
        return html + script
    return html[:idx] + script + html[idx:]


def is_html(headers: dict[str, str]) -> bool:
    """Whether a response (lower-case header dict) can take the client."""
    ctype = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return ctype in ("text/html", "application/xhtml+xml") and "content-encoding" not in headers


def uncompressed(app: Any, when: Callable[[], bool] | None = None) -> Any:
    """The WSGI ``app`` asked for its responses uncompressed (no ``Accept-Encoding``), so the
    client can be injected into its HTML (``is_html``); a layer outside compresses the result,
    or nothing does (loopback). With ``when``, only while it says so (a watch runs, whose
    client goes in): otherwise the app compresses as it would (Apprise API's views are
    ``gzip_page``; asked for identity under ``runserver``, its 702 KB details page went out
    whole, which the outer layer does not compress: it sets a cookie, ``private``)."""

    def call(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if when is None or when():
            environ.pop("HTTP_ACCEPT_ENCODING", None)
        return app(environ, start_response)  # type: ignore[no-any-return]

    return call

"""Service workers a template registers from the static folder, for ``init``.

A page registers its service worker by URL (Superset's layout:
``navigator.serviceWorker.register('{{ assets_prefix }}/static/service-worker.js')`` in an
inline script). The browser ties the worker to that URL and checks it for updates there: a
hashed copy would be a new worker on every build that changes it, and no template names one.
``init`` keeps its name (``static.keep_names``), so the published file is the one the page
registers; before, ``build --strict`` failed on the reference ("left as written ... it requests
the unhashed source path"), and only editing the template could clear it.
"""

from __future__ import annotations

import re
from collections.abc import Container

#: ``serviceWorker.register("URL"`` (any quote; the URL may start with a template expression)
_REGISTER = re.compile(r"""serviceWorker\s*\.\s*register\(\s*(['"`])(?P<url>[^'"`]+)\1""")


def registered_workers(text: str, public_path: str, files: Container[str]) -> list[str]:
    """The files of the static folder (``files``: keys relative to it) that ``text``
    registers as service workers by their URL under ``public_path``."""
    found: list[str] = []
    for m in _REGISTER.finditer(text):
        url = m.group("url").split("?", 1)[0].split("#", 1)[0]
        at = url.find(public_path)
        if at < 0:
            continue
        key = url[at + len(public_path) :]
        if key in files and key not in found:
            found.append(key)
    return found

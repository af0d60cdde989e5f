"""A Django template tag of the project's own that gives a static file's URL from its first
argument, as ``{% static 'K' %}`` does: NetBox's ``{% static_with_params 'netbox.css'
v=settings.RELEASE.version %}`` (a ``simple_tag`` returning ``static(path)`` with a query
added), which links its stylesheet, bundle and theme script on every page.

Such a tag, listed in ``templates.static_functions``, is a ``static_tag`` reference of the
build (``refs.classify``): only the literal K is rewritten, so the tag still runs (its query,
``STATIC_URL``); keyword arguments may follow K, an ``as`` name may not (the tag then renders
nothing where it stands). ``assetpipe init`` finds such tags in the project's Python
(``adopt.djangotags``)."""

from __future__ import annotations

import functools
import re


@functools.cache
def tag_re(functions: tuple[str, ...]) -> re.Pattern[str]:
    """``{% F 'K' name=value ... %}`` for each F of ``functions``: the group ``fn`` is F,
    ``key`` is K."""
    names = "|".join(map(re.escape, functions))
    return re.compile(
        rf"""\{{%\s*(?P<fn>{names})\s+(["'])(?P<key>[^"'\\{{}}%~]+)\2"""
        r"""(?:\s+\w+=[^\s%]+)*\s*%\}"""
    )

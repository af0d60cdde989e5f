"""What ``audit --app`` and ``watch --app`` report of an app's own 5xx page (``RenderErrors``):
the page's text, not its scripts. Django's debug page (``DEBUG`` on), rendered by Django
itself here, opens with some 6 KB of ``<style>`` and ``<script>``: read up to 4,000 bytes,
the script was cut open and its code was the report (Kiwi TCMS's captcha view failing), with
neither the exception nor its message."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from assetpipe.serve.userapp import RenderErrors

pytestmark = pytest.mark.skipif(importlib.util.find_spec("django") is None, reason="needs Django")

#: a Django view failing as django-simple-captcha's does under Pillow 10, its debug page on stdout
DEBUG_PAGE = """\
import sys
from django.conf import settings
urlpatterns = []
settings.configure(DEBUG=True, SECRET_KEY="t", ALLOWED_HOSTS=["*"], ROOT_URLCONF=__name__)
import django
django.setup()
from django.test import RequestFactory
from django.views.debug import technical_500_response
request = RequestFactory().get("/captcha/image/abc/")
try:
    raise AttributeError("'FreeTypeFont' object has no attribute 'getsize'")
except AttributeError:
    response = technical_500_response(request, *sys.exc_info())
sys.stdout.buffer.write(response.content)
"""


def test_a_django_debug_page_is_reported_by_its_exception_not_its_script() -> None:
    page = subprocess.run(
        [sys.executable, "-c", DEBUG_PAGE], capture_output=True, check=True, timeout=60
    ).stdout
    assert page.find(b"</script>") > 4000, "the page this is about: its script ends past 4 KB"

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response("500 Internal Server Error", [("Content-Type", "text/html")])
        return [page]

    reports: list[tuple[str, str | None]] = []
    wrapped = RenderErrors(app, lambda text, hint: reports.append((text, hint)))
    body = b"".join(wrapped({"PATH_INFO": "/captcha/image/abc/"}, lambda *a: None))
    assert body == page
    ((text, hint),) = reports
    assert text.startswith("GET /captcha/image/abc/: the app answered 500:\n"), text
    assert "'FreeTypeFont' object has no attribute 'getsize'" in text, text
    assert "function" not in text and "{" not in text, text
    assert hint is not None and "manage.py runserver" in hint

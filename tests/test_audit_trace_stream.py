"""The audit's trace comes back whole, or says it did not: real Chromium on the crafted relayout
page (``tests/audit_pages.py``), whose one relayout of 20,000 boxes traces about 45 MB.

Read as ``Tracing.dataCollected`` events, that trace took longer to cross the CDP session than
the audit waited on a loaded CI host, and the relayout task after ``load`` was silently missing
from TBT. It is now one stream; a buffer Chromium overflows is a warning, never a quiet zero.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from assetpipe.audit.trace import Tracer, parse
from tests.audit_pages import pages_in_chromium


@pytest.fixture(scope="module")
def page_site() -> Iterator[tuple[Any, str]]:
    with pages_in_chromium() as opened:
        yield opened


def _trace(site: tuple[Any, str], **kw: Any) -> tuple[Tracer, list[dict[str, Any]], str]:
    browser, base = site
    page = browser.new_page()
    try:
        cdp = page.context.new_cdp_session(page)
        tracer = Tracer(cdp, page.wait_for_timeout, **kw)
        tracer.start()
        page.goto(f"{base}/relayout", wait_until="load")
        # The relayout runs 500 ms after load and the first paint; a class it adds says done.
        page.wait_for_function("document.body.classList.contains('wide')", timeout=30_000)
        page.wait_for_timeout(1500)
        return tracer, tracer.stop(), page.url
    finally:
        page.close()


def _relayouts(events: list[dict[str, Any]], url: str) -> list[Any]:
    return [
        t
        for t in parse(events, url).tasks
        if sum(t.kinds.get(k, 0) for k in ("style", "layout", "paint"))
        > 4 * t.kinds.get("script", 0)
        and t.dur > 50
    ]


def test_the_whole_trace_of_a_big_page_is_read(page_site: tuple[Any, str]) -> None:
    # On a loaded host Chromium itself can drop events (seen once in a full suite run): such a
    # trace must say so, and the page is traced again, as the audit loads such a run again.
    for _ in range(3):
        tracer, events, url = _trace(page_site)
        assert tracer.complete is not None
        if not tracer.complete.get("dataLossOccurred"):
            break
        assert any("dropped events" in w for w in tracer.warnings), tracer.warnings
    else:
        pytest.skip("Chromium dropped trace events in 3 loads on this host: nothing to check")
    assert tracer.warnings == []
    assert len(events) > 50_000  # three invalidation events per box, and the tasks
    # The first render of the boxes and the relayout, both there.
    assert len(_relayouts(events, url)) >= 2, [t.to_json() for t in parse(events, url).tasks]


def test_a_trace_buffer_chromium_overflows_is_a_warning(page_site: tuple[Any, str]) -> None:
    tracer, _events, _url = _trace(page_site, buffer_kb=2000)
    assert tracer.complete is not None and tracer.complete.get("dataLossOccurred") is True
    assert any("dropped events" in w for w in tracer.warnings), tracer.warnings

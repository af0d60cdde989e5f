"""An audit run whose trace Chromium cut is loaded again, real Chromium on the crafted relayout
page (``tests/audit_pages.py``). Its own module: the audit starts its own Playwright, which
cannot run beside another module's open browser fixture in the same thread."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from assetpipe.audit.trace import Tracer
from tests.audit_pages import serve_pages
from tests.conftest import require_chromium, write_tree


def test_an_audit_run_that_lost_trace_events_is_loaded_again_then_warned(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A run whose trace Chromium cut (its buffer made small here, so that it overruns for
    real, as it did once on a loaded CI host) is loaded once more; when that one loses events
    too, the page says so. Its TBT could only read low."""
    from assetpipe.audit import measure

    class SmallBuffer(Tracer):
        def __init__(self, cdp: Any, wait: Any, **_kw: Any) -> None:
            super().__init__(cdp, wait, buffer_kb=2000)

    monkeypatch.setattr(measure, "Tracer", SmallBuffer)
    write_tree(tmp_path, {"pipeline.yaml": "source: site\noutput: dist\n", "site/x.txt": "x\n"})
    require_chromium()
    with serve_pages() as base:
        _audit_relayout(tmp_path, base, caplog)


def _audit_relayout(tmp_path: Path, base: str, caplog: pytest.LogCaptureFixture) -> None:
    from assetpipe.audit.options import AuditOptions
    from assetpipe.audit.runner import run_audit
    from assetpipe.config import load_config

    opts = AuditOptions(
        profile="desktop",
        runs=1,
        pages=("/relayout",),
        base_url=base,
        capture=False,
        hints=False,
        history=False,
    )
    with caplog.at_level(logging.WARNING, logger="assetpipe"):
        result = run_audit(load_config(tmp_path / "pipeline.yaml"), opts)
    assert "/relayout: run 1 lost trace events: loaded again" in caplog.text
    page = result.doc["pages"][0]
    assert any("dropped events" in w for w in page["warnings"]), page["warnings"]

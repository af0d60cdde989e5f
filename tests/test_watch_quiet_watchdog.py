"""``assetpipe watch --app`` imports the app, and an app may configure the root logger at DEBUG
on the console (django-oscar's sandbox ``LOGGING``): watchdog's own DEBUG record for every
inotify event then went to the terminal, 6,075 ``in-event PathedInotifyEvent(...)`` lines
around four build lines. The observer keeps watchdog's logger at INFO (when nothing set it);
its changes still arrive. Real watchdog, real inotify."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from assetpipe import load_config
from assetpipe.dev.observe import start_observer
from tests.conftest import write_tree


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def root_at_debug() -> Iterator[_Records]:
    """The root logger at DEBUG with a handler, as the app's ``LOGGING`` sets it; restored."""
    root, watchdog = logging.getLogger(), logging.getLogger("watchdog")
    saved = (root.level, watchdog.level)
    handler = _Records()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    watchdog.setLevel(logging.NOTSET)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(saved[0])
        watchdog.setLevel(saved[1])


def test_watchdogs_debug_records_stay_out_of_a_debug_root_logger(
    tmp_path: Path, root_at_debug: _Records
) -> None:
    write_tree(tmp_path, {"pipeline.yaml": "source: site\noutput: dist\n", "site/a.css": "a{}\n"})
    cfg = load_config(tmp_path / "pipeline.yaml")
    seen: list[str] = []
    changed = threading.Event()

    def notify(paths: list[str]) -> None:
        seen.extend(paths)
        changed.set()

    observer = start_observer(cfg, False, notify)
    try:
        (tmp_path / "site/a.css").write_text("a{color:red}\n")
        (tmp_path / "site/a.css").read_text()  # an open and a close: DEBUG records in watchdog
        assert changed.wait(10), "no change seen"
    finally:
        observer.stop()
        observer.join(10)
    assert any(p.endswith("a.css") for p in seen), seen
    noisy = [r for r in root_at_debug.records if r.name.startswith("watchdog")]
    assert noisy == [], [r.getMessage()[:80] for r in noisy[:3]]

"""``-v`` shows the traceback of an exception logged at debug level. ``assetpipe watch`` logs a
crashed rebuild so and prints ``hint: run with -v for the traceback``; on flask-base (a
``KeyError`` in the static stage), ``watch -v`` and ``-vv`` printed ``rebuild crashed`` and no
traceback: the CLI's log handler rendered one only for errors."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from assetpipe.cli.common import setup_logging


@pytest.fixture(autouse=True)
def _restore_logger() -> Iterator[None]:
    """``setup_logging`` configures the process's ``assetpipe`` logger; put it back."""
    log = logging.getLogger("assetpipe")
    saved = (log.handlers[:], log.level, log.propagate)
    yield
    log.handlers[:], log.level, log.propagate = saved[0], saved[1], saved[2]


def _crash(log: logging.Logger) -> None:
    try:
        files: dict[str, str] = {}
        files["ckeditor/lang/en.js"]
    except KeyError:
        log.debug("rebuild crashed", exc_info=True)


def test_verbose_prints_a_debug_records_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging(1, False, False)
    _crash(logging.getLogger("assetpipe.dev.watch"))
    err = capsys.readouterr().err
    assert "rebuild crashed" in err
    assert "Traceback (most recent call last)" in err and "KeyError: 'ckeditor/lang/en.js'" in err
    assert "in _crash" in err


def test_without_verbose_the_debug_record_is_not_shown(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging(0, False, False)
    _crash(logging.getLogger("assetpipe.dev.watch"))
    assert "Traceback" not in capsys.readouterr().err

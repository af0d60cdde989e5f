"""``assetpipe.logs``: the build's loggers import ``logging`` only when a record is to be
handled, and then behave as ``logging``'s own (the record names its caller's line)."""

from __future__ import annotations

import logging
import sys

import pytest

from assetpipe import logs
from tests.conftest import fresh_python

_PROCESS = """
import sys
from assetpipe import logs
log = logs.logger("assetpipe")
log.debug("dropped %s", 1)
log.info("dropped too")
print("logging" in sys.modules)
log.warning("shown %s", 2)
print("logging" in sys.modules)
"""


def test_records_below_the_threshold_import_nothing_and_a_warning_is_shown() -> None:
    """Nobody configured logging: debug and info go nowhere without importing it, and a
    warning is printed as Python's last-resort handler prints it."""
    out = fresh_python(_PROCESS)
    assert out.code == 0, out.err
    assert out.out.split() == ["False", "True"]
    assert out.err == "shown 2\n"


_CLI_LEVEL = """
import sys
from assetpipe import logs
from assetpipe.cli.common import setup_logging
setup_logging(1, False, False, deferred=True)
print("logging" in sys.modules)
logs.logger("assetpipe").debug("seen with -v: %s", "yes")
print("logging" in sys.modules)
"""


def test_a_deferred_cli_handler_is_installed_at_the_first_record_it_shows() -> None:
    out = fresh_python(_CLI_LEVEL)
    assert out.code == 0, out.err
    assert out.out.split() == ["False", "True"]
    assert out.err == "seen with -v: yes\n"


def test_once_logging_is_imported_its_configuration_decides(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Here (pytest imports logging) a debug record reaches a handler that wants it, with the
    caller's file and line, not this module's."""
    with caplog.at_level(logging.DEBUG, logger="assetpipe.test"):
        logs.logger("assetpipe.test").debug("x=%d", 3)
        line = sys._getframe().f_lineno - 1
    (record,) = [r for r in caplog.records if r.name == "assetpipe.test"]
    assert record.getMessage() == "x=3"
    assert (record.pathname, record.lineno) == (__file__, line)

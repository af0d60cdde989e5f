"""The CLI run in-process with click's ``CliRunner``: for tests of what a command writes, prints
and returns, where a new process is not what is tested. Tests of exit codes on signals, of
start-up imports, of the console script and of real processes keep ``conftest.run_cli``.

The result is the same ``CliResult`` (exit code, stdout, stderr as separate strings), the
working folder is ``cwd`` for the call, ``NO_COLOR`` is set as ``run_cli`` sets it, and the
``assetpipe`` logger, which the CLI configures for its run, is restored afterwards (later tests
in the same worker capture its records with ``caplog``). An exception the CLI does not map to
an exit code propagates, with its traceback, instead of becoming exit code 1.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from click.testing import CliRunner

from assetpipe.cli import cli
from tests.conftest import CliResult


def invoke_cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> CliResult:
    """Run ``assetpipe ARGS`` in this process, in ``cwd``."""
    logger = logging.getLogger("assetpipe")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(
            cli,
            list(args),
            env={"NO_COLOR": "1", **(env or {})},
            prog_name="assetpipe",
            catch_exceptions=False,
        )
    finally:
        os.chdir(previous)
        logger.handlers[:], logger.level, logger.propagate = saved
    return CliResult(result.exit_code, result.stdout, result.stderr)

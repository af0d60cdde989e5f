"""Everything an audit writes besides its terminal output: the report folder, JUnit XML and,
under GitHub Actions, annotations and the step summary."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from . import github, junit, report
from .options import AuditResult

log = logging.getLogger("assetpipe.audit")


def write_outputs(
    result: AuditResult,
    *,
    report_dir: Path | None,
    junit_file: Path | None,
    echo: Callable[[str], None],
    template_root: str | None = None,
) -> Path | None:
    """Write what was asked for; returns the HTML report's path when one was written."""
    page = None
    if report_dir is not None:
        page = report.save(report_dir, result.doc, result.details, result.pictures)
        log.info("report: %s", page)
    if junit_file is not None:
        junit.write(result.doc, junit_file)
    if github.active():
        github.emit(result.doc, echo, template_root)
    return page

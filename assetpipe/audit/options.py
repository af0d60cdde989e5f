"""The audit's options (what the command line chose) and its result document.

The document (``AuditResult.doc``, the ``--json`` output): ``profile``, ``runs`` (a number or
``"auto"``), ``mode``, ``aggregate``, ``host`` (load average, benchmark index), ``shard``,
``passed``, ``pages`` and ``flows`` (the login and the user flows, ``flows``); each page has ``path``, ``url``, ``template``, ``status``
(``measured``/``errored``), ``passed``, ``metrics`` (unrounded), ``lcp_element``, ``bytes``,
``requests``, ``repeat_view``, ``checks`` and, with ``--lighthouse``, ``lighthouse`` scores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .observe import MAX_WAIT_MS


@dataclass(frozen=True)
class AuditOptions:
    """What the command line chose; ``None`` means the config's ``audit:`` default."""

    profile: str | None = None
    runs: int | None = None
    pages: tuple[str, ...] = ()
    base_url: str | None = None
    app: str | None = None
    shard: tuple[int, int] = (1, 1)
    lighthouse: bool = False
    fail_on_regression: float | None = None
    hints: bool = True
    history: bool = True
    capture: bool = True
    max_wait_ms: float = MAX_WAIT_MS
    #: ``--runs auto``: ``policy.AUTO_MIN`` runs, more while runs disagree about a budget.
    runs_auto: bool = False
    #: ``--metrics``; ``None``: the config's ``audit.metrics``.
    mode: str | None = None
    aggregate: str = "median"
    #: ``--baseline REPORT_DIR``: another audit's report folder to compare with.
    baseline: Path | None = None


@dataclass
class AuditResult:
    """The audit document (see the module docstring) plus per-page details for reports
    (network requests, runs, pictures, trends) that ``--json`` leaves out."""

    doc: dict[str, Any]
    details: dict[str, dict[str, Any]] = field(default_factory=dict)
    pictures: dict[str, bytes] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0 pass; 1 a check at level error failed or a page errored (every page included)."""
        return exit_code(self.doc)


def exit_code(doc: dict[str, Any]) -> int:
    """0 when every page passed, else 1, also when no page could be measured (HTTP 404/500,
    nothing listening): the site failed, not a tool. Exit 3 is only for a missing tool (no
    Chromium, no Node for --lighthouse), raised as ``ExternalToolError`` before any page."""
    return 0 if doc["passed"] else 1

"""``assetpipe audit``: Core Web Vitals and page weight in headless Chromium against budgets.

``run_audit(config, AuditOptions(...))`` returns an ``AuditResult`` whose ``doc`` is the JSON of
DESIGN §3.7 and whose ``exit_code`` is 0 (pass), 1 (a check at level error failed, or a page
errored) or 3 (no page measurable). ``merge`` combines the report folders of sharded runs.
Modules: ``runner`` (orchestration), ``measure`` (one run), ``metrics.js`` (in-page observers),
``network`` (bytes by type), ``throttle`` (CDP profiles), ``server`` (loopback serving),
``budgets``, ``locate`` (LCP template line, lcp-hints.json), ``history``, ``lighthouse``,
``report``, ``junit``, ``github``, ``merge``.
"""

from __future__ import annotations

from .merge import merge
from .runner import AuditOptions, AuditResult, parse_shard, run_audit

__all__ = ["AuditOptions", "AuditResult", "merge", "parse_shard", "run_audit"]

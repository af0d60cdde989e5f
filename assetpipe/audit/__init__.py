"""``assetpipe audit``: Core Web Vitals and page weight in headless Chromium against budgets.

``run_audit(config, AuditOptions(...))`` returns an ``AuditResult`` whose ``doc`` is the audit's
JSON (described in ``options``) and whose ``exit_code`` is 0 (pass) or 1 (a check at level error
failed, or a page errored); a missing tool (no Chromium, no Playwright) raises
``ExternalToolError`` (exit 3) before any page. ``merge`` combines the report folders of sharded
runs. Modules: ``runner`` (orchestration), ``options`` (options and the result document),
``selection`` (pages and shards), ``page`` (one page's runs), ``builtin`` (checks without a
budget), ``measure`` (one run), ``metrics.js`` (in-page observers),
``network`` (bytes by type), ``throttle`` (CDP profiles), ``server`` (loopback serving),
``budgets``, ``locate`` (LCP template line, lcp-hints.json), ``history``, ``lighthouse``,
``report``, ``junit``, ``github``, ``merge``.
"""

from __future__ import annotations

from .merge import merge
from .options import AuditOptions, AuditResult
from .runner import run_audit
from .selection import parse_shard

__all__ = ["AuditOptions", "AuditResult", "merge", "parse_shard", "run_audit"]

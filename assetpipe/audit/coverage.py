"""Unused JavaScript and CSS, as Lighthouse gathers them (its ``JsUsage`` and ``CSSUsage``).

JavaScript: V8's precise coverage at function granularity (``Profiler.startPreciseCoverage``
with ``detailed: false``, as Lighthouse) from before the navigation to the end of the
observation; a script's bytes in functions that never ran are unused (an inner function's range
overrides its outer one's). CSS: after the observation, the rules of every stylesheet that the
page's elements use (``CSS.startRuleUsageTracking`` / ``stopRuleUsageTracking``, as Lighthouse
does after the load, so the tracking costs the load nothing); a sheet's bytes outside used rules
are unused. Sizes here are uncompressed characters; ``insights`` scales them to transferred
bytes. Inline scripts and ``<style>`` elements (their URL is the document's) are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Usage:
    """One script or stylesheet: its URL, its length and how much of it went unused."""

    url: str
    total: int
    unused: int

    def to_json(self) -> dict[str, Any]:
        return {"url": self.url, "total": self.total, "unused": self.unused}


def unused_js(result: list[dict[str, Any]], document: str) -> list[Usage]:
    """Per script URL (``Profiler.takePreciseCoverage``'s ``result``), summed over the script's
    copies; the script's length is its top-level function's range."""
    totals: dict[str, list[int]] = {}
    for script in result:
        url = str(script.get("url") or "")
        if not url.startswith(("http:", "https:")) or url == document:
            continue
        ranges = [r for f in script.get("functions") or () for r in f.get("ranges") or ()]
        if not ranges:
            continue
        length = max(int(r["endOffset"]) for r in ranges)
        used = bytearray(length)
        # Outer ranges come first in V8's order; sort by size so an inner range always wins.
        for r in sorted(ranges, key=lambda r: int(r["startOffset"]) - int(r["endOffset"])):
            start, end = int(r["startOffset"]), int(r["endOffset"])
            used[start:end] = (b"\x01" if r.get("count", 0) else b"\x00") * (end - start)
        entry = totals.setdefault(url, [0, 0])
        entry[0] += length
        entry[1] += length - sum(used)
    return [Usage(url, total, unused) for url, (total, unused) in totals.items()]


def unused_css(
    sheets: dict[str, dict[str, Any]], rules: list[dict[str, Any]], document: str
) -> list[Usage]:
    """Per stylesheet URL: ``sheets`` are ``CSS.styleSheetAdded`` headers by id, ``rules`` the
    ``CSS.stopRuleUsageTracking`` rule usage."""
    used: dict[str, int] = {}
    for rule in rules:
        if rule.get("used"):
            sid = str(rule["styleSheetId"])
            used[sid] = used.get(sid, 0) + int(rule["endOffset"]) - int(rule["startOffset"])
    totals: dict[str, list[int]] = {}
    for sid, header in sheets.items():
        url = str(header.get("sourceURL") or "")
        if header.get("isInline") or not url.startswith(("http:", "https:")) or url == document:
            continue
        length = int(header.get("length") or 0)
        entry = totals.setdefault(url, [0, 0])
        entry[0] += length
        entry[1] += max(0, length - used.get(sid, 0))
    return [Usage(url, total, unused) for url, (total, unused) in totals.items()]


class Coverage:
    """Attach to a page's CDP session: ``start()`` before navigating, ``collect(url)`` after the
    observation returns ``(js, css)`` usage lists."""

    def __init__(self, cdp: Any) -> None:
        self.cdp = cdp
        self.sheets: dict[str, dict[str, Any]] = {}
        cdp.on("CSS.styleSheetAdded", self._sheet)

    def _sheet(self, ev: dict[str, Any]) -> None:
        header = ev.get("header") or {}
        self.sheets[str(header.get("styleSheetId"))] = header

    def start(self) -> None:
        self.cdp.send("Profiler.enable")
        self.cdp.send("Profiler.startPreciseCoverage", {"callCount": False, "detailed": False})

    def collect(self, document: str) -> tuple[list[Usage], list[Usage]]:
        js = self.cdp.send("Profiler.takePreciseCoverage").get("result") or []
        self.cdp.send("Profiler.stopPreciseCoverage")
        self.cdp.send("DOM.enable")
        self.cdp.send("CSS.enable")  # reports every stylesheet already there (styleSheetAdded)
        self.cdp.send("CSS.startRuleUsageTracking")
        rules = self.cdp.send("CSS.stopRuleUsageTracking").get("ruleUsage") or []
        return unused_js(js, document), unused_css(self.sheets, rules, document)

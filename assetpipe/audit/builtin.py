"""The checks every audit makes without a budget: the LCP image is not lazy-loaded, hashed
assets are served immutable (a year-long ``max-age`` and ``immutable``) and, when the build
precompressed them, compressed; a run measured at the cap is a warning."""

from __future__ import annotations

from typing import Any

from ..config import Config
from . import budgets as budgets_mod
from .locate import Locator

ONE_YEAR = 31_536_000


def builtin_checks(
    page: dict[str, Any],
    network: list[dict[str, Any]],
    encodings: dict[str, list[str]],
    locator: Locator,
) -> list[budgets_mod.Check]:
    """The LCP image is not lazy-loaded; hashed assets are served immutable and, when the build
    precompressed them, compressed."""
    checks = []
    el = page.get("lcp_element") or {}
    lazy = bool(el.get("tag") == "img" and el.get("lazy"))
    if el.get("template"):  # lcp-hints.json records it: a rebuild makes the tag eager
        how = (
            f'loading="lazy" at {el["template"]}:{el["line"]}); make it eager: remove '
            'loading="lazy" or rebuild with lcp-hints.json'
        )
    else:  # a script's tag (LNbits' Quasar <q-img>), or one several templates show
        how = (
            'loading="lazy" on an <img> placed at no one template line of the build, e.g. one '
            "a script makes: lcp-hints.json cannot record it); make it eager where it is made"
        )
    checks.append(
        budgets_mod.Check(
            "lcp.not_lazy",
            "error",
            0,
            1 if lazy else 0,
            not lazy,
            f"the LCP image {el.get('url') or el.get('src')} is lazy-loaded ({how}"
            if lazy
            else "the LCP element is not a lazy-loaded image",
            template=el.get("template") if lazy else None,
            line=el.get("line") if lazy else None,
        )
    )
    hashed = [r for r in network if r["hashed"] and not r["from_cache"] and r["status"] == 200]
    not_immutable = [r["url"] for r in hashed if not _immutable(r.get("cache_control"))]
    checks.append(
        budgets_mod.Check(
            "hashed.immutable",
            "error",
            0,
            len(not_immutable),
            not not_immutable,
            f"{len(not_immutable)} hashed asset(s) without a year-long immutable Cache-Control, "
            f"e.g. {not_immutable[0]}"
            if not_immutable
            else f"{len(hashed)} hashed asset(s) served immutable",
        )
    )
    uncompressed = []
    for r in hashed:
        rel = locator.rel(_path(r["url"])) or ""
        if encodings.get(rel) and not r.get("encoding"):
            uncompressed.append(r["url"])
    checks.append(
        budgets_mod.Check(
            "hashed.compressed",
            "error",
            0,
            len(uncompressed),
            not uncompressed,
            f"{len(uncompressed)} hashed asset(s) sent uncompressed although the build "
            f"precompressed them, e.g. {uncompressed[0]}"
            if uncompressed
            else "every precompressed hashed asset was sent compressed",
        )
    )
    return checks


def settled_check(warnings: list[str]) -> budgets_mod.Check:
    """A warning when a run was measured at the cap (``load`` never fired, never quiet)."""
    return budgets_mod.Check(
        "page.settled",
        "warn",
        None,
        None,
        not warnings,
        "; ".join(warnings) if warnings else "the page went quiet after load",
    )


def redirect_check(page_url: str, network: list[dict[str, Any]]) -> budgets_mod.Check:
    """A warning when the page's document was redirected to another URL: the page measured is
    that one. Supysonic's ``/folder``, audited without a ``login:``, answered 302 to
    ``/user/login``, and the login page's figures passed as ``/folder``'s (Lighthouse warns
    alike: "your test URL was redirected")."""
    docs = [r for r in network if r["type"] == "document"]
    hops = 0
    while hops < len(docs) and 300 <= docs[hops]["status"] < 400:
        hops += 1
    final = docs[hops]["url"] if 0 < hops < len(docs) else None
    return budgets_mod.Check(
        "page.redirected",
        "warn",
        None,
        None,
        final is None or final == page_url,
        f"{_path(page_url)} was redirected to {_path(final)}: its figures are that page's"
        " (audit that path, or give a page behind a login a `login:`)"
        if final is not None and final != page_url
        else "the page was not redirected",
    )


def _path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path


def _immutable(cache_control: str | None) -> bool:
    if not cache_control:
        return False
    parts = [p.strip().lower() for p in cache_control.split(",")]
    max_age = next((p.split("=", 1)[1] for p in parts if p.startswith("max-age=")), "0")
    return "immutable" in parts and max_age.isdigit() and int(max_age) >= ONE_YEAR


def encodings(config: Config) -> dict[str, list[str]]:
    """Output file → the precompressed encodings the build wrote for it."""
    from ..manifest import BuildView

    return BuildView.read(config.output).encodings()

"""The one module that finds and launches Chromium (for the audit, the tests and the benches).

Lookup order: an explicit path (``audit.chromium`` in the config), then ``ASSETPIPE_CHROMIUM``,
then Playwright's own browser when installed, then a system Chromium or Chrome (Debian's real
binary is ``/usr/lib/chromium/chromium``; ``/usr/bin/chromium`` is a wrapper script). Playwright
launches the result with ``executable_path=``. No Chromium → ``ExternalToolError`` (exit 3)
saying how to get one.
"""

from __future__ import annotations

import glob
import os
import shutil
from pathlib import Path
from typing import Any

from ..errors import ExternalToolError

#: Flags that work as root in a container with no network: Chromium refuses its sandbox as
#: root, a container has no GPU and a small /dev/shm, and nothing may reach the network.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--disable-quic",
    "--mute-audio",
)

SYSTEM_CANDIDATES = (
    "/usr/lib/chromium/chromium",
    "/usr/lib/chromium-browser/chromium-browser",
    "/opt/google/chrome/chrome",
)
PATH_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

HINT = (
    "install one: `sudo apt-get install chromium` (Debian/Ubuntu), set ASSETPIPE_CHROMIUM or "
    "audit.chromium to a Chrome/Chromium binary, or run `playwright install chromium` where "
    "its download host is reachable"
)


def require_playwright() -> None:
    """Raise ``ExternalToolError`` (exit 3) unless Playwright, the ``audit`` extra, imports."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise ExternalToolError(
            "assetpipe audit needs Playwright, which is not installed",
            hint="pip install 'assetpipe[audit]' (building and serving assets do not need it)",
        ) from None


def _playwright_browser() -> Path | None:
    """Playwright's own downloaded Chromium, if ``playwright install chromium`` ran."""
    root = os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or str(
        Path.home() / ".cache" / "ms-playwright"
    )
    patterns = (
        "chromium-*/chrome-linux*/chrome",
        "chromium_headless_shell-*/chrome-*/headless_shell",
        "chromium-*/chrome-mac*/Chromium.app/Contents/MacOS/Chromium",
    )
    found: list[str] = []
    for pattern in patterns:
        found += glob.glob(os.path.join(root, pattern))
    for candidate in sorted(found, reverse=True):
        if os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


def find_chromium(explicit: Path | str | None = None) -> Path:
    """The Chromium to launch, in the documented order; raises ``ExternalToolError``."""
    if explicit:
        path = Path(explicit)
        if path.is_file() and os.access(path, os.X_OK):
            return path
        raise ExternalToolError(f"audit.chromium: '{path}' is not an executable file", hint=HINT)
    env = os.environ.get("ASSETPIPE_CHROMIUM")
    if env:
        path = Path(env)
        if path.is_file() and os.access(path, os.X_OK):
            return path
        raise ExternalToolError(f"ASSETPIPE_CHROMIUM: '{env}' is not an executable file", hint=HINT)
    own = _playwright_browser()
    if own is not None:
        return own
    for candidate in SYSTEM_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return Path(candidate)
    for name in PATH_CANDIDATES:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise ExternalToolError("no Chromium found", hint=HINT)


def launch(
    playwright: Any,
    *,
    executable: Path | str | None = None,
    headless: bool = True,
    args: tuple[str, ...] = (),
) -> Any:
    """Launch Chromium through a started Playwright (``sync_playwright().start()`` or the async
    one: the call is the same, await it for async). Returns Playwright's Browser."""
    path = find_chromium(executable)
    try:
        return playwright.chromium.launch(
            executable_path=str(path), headless=headless, args=[*CHROMIUM_ARGS, *args]
        )
    except Exception as exc:  # Playwright raises its own Error type
        raise ExternalToolError(
            f"could not launch Chromium at {path}: {exc}".splitlines()[0], hint=HINT
        ) from exc

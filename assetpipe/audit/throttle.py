"""Throttling profiles applied through CDP.

``mobile`` is Lighthouse's mobile profile as its *devtools* throttling applies it: Lighthouse
multiplies its simulated RTT (150 ms) by 3.75 and its throughput (1.6 Mbit/s down, 750 kbit/s up)
by 0.9, giving 562.5 ms latency, 188,743 B/s down and 86,400 B/s up, with 4x CPU slowdown, on a
412x823 screen at DPR 1.75. ``desktop`` is ours (Lighthouse's desktop preset only *simulates*):
40 ms latency, 1,310,720 B/s (10 Mbit/s) down and up, no CPU slowdown, 1350x940 at DPR 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MOBILE_UA = (
    "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36"
)


@dataclass(frozen=True)
class Profile:
    """One throttling + device profile."""

    name: str
    latency_ms: float
    download_bps: float  # bytes per second
    upload_bps: float
    cpu_rate: float
    width: int
    height: int
    dpr: float
    mobile: bool

    def context_options(self) -> dict[str, Any]:
        """Keyword arguments for ``browser.new_context`` (viewport and device)."""
        opts: dict[str, Any] = {
            "viewport": {"width": self.width, "height": self.height},
            "device_scale_factor": self.dpr,
            "is_mobile": self.mobile,
            "has_touch": self.mobile,
        }
        if self.mobile:
            opts["user_agent"] = MOBILE_UA
        return opts

    def apply(self, cdp: Any) -> None:
        """Apply network and CPU throttling to a page through its CDP session (after
        ``Network.enable``)."""
        cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": self.latency_ms,
                "downloadThroughput": self.download_bps,
                "uploadThroughput": self.upload_bps,
            },
        )
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": self.cpu_rate})

    def lighthouse_flags(self) -> list[str]:
        """The same throttling as Lighthouse CLI flags (``--throttling-method=devtools``), so its
        numbers are taken under identical conditions."""
        flags = [
            "--throttling-method=devtools",
            f"--throttling.requestLatencyMs={self.latency_ms:g}",
            f"--throttling.downloadThroughputKbps={self.download_bps * 8 / 1024:g}",
            f"--throttling.uploadThroughputKbps={self.upload_bps * 8 / 1024:g}",
            f"--throttling.cpuSlowdownMultiplier={self.cpu_rate:g}",
            f"--screenEmulation.width={self.width}",
            f"--screenEmulation.height={self.height}",
            f"--screenEmulation.deviceScaleFactor={self.dpr:g}",
        ]
        if self.mobile:
            flags += ["--form-factor=mobile", "--screenEmulation.mobile"]
        else:
            flags += ["--preset=desktop", "--form-factor=desktop", "--screenEmulation.mobile=false"]
        return flags


MOBILE = Profile("mobile", 562.5, 188_743, 86_400, 4, 412, 823, 1.75, True)
DESKTOP = Profile("desktop", 40, 1_310_720, 1_310_720, 1, 1350, 940, 1.0, False)
PROFILES = {"mobile": MOBILE, "desktop": DESKTOP}


def get(name: str) -> Profile:
    """The profile called ``name`` (``mobile`` or ``desktop``)."""
    return PROFILES[name]

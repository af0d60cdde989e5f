"""The simulated network, as Lantern models it: each origin's extra round-trip time and server
response time estimated from the observed load, TCP connections (handshake, TLS, slow start
from a 10-segment congestion window, a window capped by the bandwidth-delay product, H2
multiplexing on one warm connection), six connections per HTTP/1.1 origin, and DNS costing two
round trips the first time a host is resolved. Times in ms, throughput in bits per second.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .requests import Request

SEGMENT = 1460
INITIAL_CWND = 10
INITIAL_CWD_BYTES = 14 * 1024
DEFAULT_SERVER_MS = 30.0
PER_ORIGIN = 6
DNS_RTT_MULTIPLIER = 2
#: Share of a time-to-first-byte taken as server time, by resource type (coarse estimates).
SERVER_SHARE = {"Document": 0.9, "XHR": 0.9, "Fetch": 0.9}


def group_by_origin(requests: Iterable[Request]) -> dict[str, list[Request]]:
    out: dict[str, list[Request]] = {}
    for r in requests:
        out.setdefault(r.origin, []).append(r)
    return out


def connection_reused(requests: list[Request], coarse: bool = False) -> dict[str, bool]:
    """Per request id, whether it reused a connection: Chromium's ``connectionReused`` when
    every connection id is seen opened, else the coarse estimate (a request started after the
    origin's first response ended, or any H2 request, except the origin's first)."""
    started: dict[Any, bool] = {}
    for r in requests:
        started[r.connection_id] = started.get(r.connection_id, False) or not r.connection_reused
    if not coarse and len(started) > 1 and all(started.values()):
        return {r.request_id: r.connection_reused for r in requests}
    out: dict[str, bool] = {}
    for group in group_by_origin(requests).values():
        earliest = min(r.network_end for r in group)
        for r in group:
            out[r.request_id] = r.network_start >= earliest or r.protocol == "h2"
        out[min(group, key=lambda r: r.network_start).request_id] = False
    return out


def _rtt_connection(r: Request, t: dict[str, float], reused: bool) -> list[float]:
    if reused:
        return []
    cs, ce, ss, se = (t.get(k, -1) for k in ("connectStart", "connectEnd", "sslStart", "sslEnd"))
    if ce >= 0 and cs >= 0 and r.protocol.startswith("h3"):
        return [ce - cs]
    if ss >= 0 and se >= 0 and ss != cs:
        return [ce - ss, ss - cs]
    if cs >= 0 and ce >= 0:
        return [ce - cs]
    return []


def _rtt_download(r: Request, t: dict[str, float], reused: bool) -> list[float]:
    rhe = t.get("receiveHeadersEnd", -1)
    if reused or r.transfer_size <= INITIAL_CWD_BYTES or not math.isfinite(rhe) or rhe < 0:
        return []
    trips = math.log2(r.transfer_size / INITIAL_CWD_BYTES)
    if trips > 5:
        return []
    return [((r.network_end - r.network_start) - rhe) / trips]


def _rtt_send_start(r: Request, t: dict[str, float], reused: bool) -> list[float]:
    send = t.get("sendStart", -1)
    if reused or not math.isfinite(send) or send < 0:
        return []
    trips = 1 + (0 if r.protocol.startswith("h3") else 1) + (1 if r.scheme == "https" else 0)
    return [send / trips]


def _rtt_headers_end(r: Request, t: dict[str, float], reused: bool) -> list[float]:
    rhe = t.get("receiveHeadersEnd", -1)
    if not math.isfinite(rhe) or rhe < 0 or not r.resource_type:
        return []
    server = rhe * SERVER_SHARE.get(r.resource_type, 0.4)
    trips = 1
    if not reused:
        trips += 1 + (0 if r.protocol.startswith("h3") else 1) + (1 if r.scheme == "https" else 0)
    return [max((rhe - server) / trips, 3.0)]


Estimator = Callable[[Request, dict[str, float], bool], list[float]]


def rtt_by_origin(requests: list[Request]) -> dict[str, float]:
    """Each origin's least RTT estimate: from connection timings, else the coarse estimates
    (download, send start, headers end) times 0.3. Raises ``ValueError`` without timings."""
    reused = connection_reused(requests)
    out: dict[str, float] = {}
    for origin, group in group_by_origin(requests).items():

        def collect(est: Estimator, mult: float = 1.0, group: list[Request] = group) -> list[float]:
            return [
                v * mult
                for r in group
                if r.timing
                for v in est(r, r.timing, reused.get(r.request_id, False))
            ]

        values = collect(_rtt_connection)
        if not values:
            for est in (_rtt_download, _rtt_send_start, _rtt_headers_end):
                values += collect(est, 0.3)
        if values:
            out[origin] = min(values)
    if not out:
        raise ValueError("no network timing information in the load: nothing to simulate")
    return out


@dataclass
class Analysis:
    """What the observed load says about its network (Lantern's ``NetworkAnalyzer.analyze``)."""

    rtt: float
    additional_rtt: dict[str, float] = field(default_factory=dict)
    server_time: dict[str, float] = field(default_factory=dict)


def analyze(requests: list[Request]) -> Analysis:
    """The least RTT, each origin's RTT above it, and each origin's median server response
    time (time to first byte after the request was sent, less the origin's RTT)."""
    rtts = rtt_by_origin(requests)
    least = min(rtts.values())
    server: dict[str, float] = {}
    for origin, group in group_by_origin(requests).items():
        values = []
        for r in group:
            t = r.timing or {}
            rhe, send_end = t.get("receiveHeadersEnd", -1), t.get("sendEnd", -1)
            if not t or rhe < 0 or send_end < 0:
                continue
            values.append(max(rhe - send_end - rtts.get(origin, least), 0.0))
        if values:
            server[origin] = float(statistics.median(values))
    extra = {o: rtts.get(o, least) - least for o in server}
    return Analysis(least, extra, server)


@dataclass
class Download:
    """How far a connection got: time, bytes, its congestion window after."""

    elapsed: float
    nbytes: float
    extra: float
    cwnd: int


class Connection:
    """One TCP connection (Lantern's ``TCPConnection``)."""

    def __init__(
        self, rtt: float, throughput: float, server: float = 0.0, ssl: bool = True, h2: bool = False
    ) -> None:
        self.rtt, self.throughput, self.server, self.ssl, self.h2 = rtt, throughput, server, ssl, h2
        self.warm = False
        self.cwnd = INITIAL_CWND
        self.h2_overflow = 0.0

    def copy(self) -> Connection:
        other = Connection(self.rtt, self.throughput, self.server, self.ssl, self.h2)
        other.warm, other.cwnd, other.h2_overflow = self.warm, self.cwnd, self.h2_overflow
        return other

    def download(
        self, nbytes: float, *, already: float = 0.0, limit: float = math.inf, dns: float = 0.0
    ) -> Download:
        """Simulate downloading ``nbytes`` for at most ``limit`` ms, ``already`` ms into it."""
        if self.warm and self.h2:
            nbytes -= self.h2_overflow
        one_way = self.rtt / 2
        max_cwnd = math.floor(self.throughput / 8 * self.rtt / 1000 / SEGMENT)
        handshake = one_way
        if not self.warm:
            handshake = dns + 3 * one_way + (self.rtt if self.ssl else 0.0)
        ttfb = handshake + self.server + one_way
        if self.warm and self.h2:
            ttfb = 0.0
        ttfb_left = max(ttfb - already, 0.0)
        budget = limit - ttfb_left
        cwnd = min(self.cwnd, max_cwnd)
        got = cwnd * SEGMENT if ttfb_left > 0 else 0.0
        spent = 0.0
        left = nbytes - got
        while left > 0 and spent <= budget:
            spent += self.rtt
            cwnd = max(min(max_cwnd, cwnd * 2), 1)
            got += cwnd * SEGMENT
            left -= cwnd * SEGMENT
        extra = max(got - nbytes, 0.0) if self.h2 else 0.0
        return Download(ttfb_left + spent, max(min(got, nbytes), 0.0), extra, cwnd)


def max_saturated_connections(rtt: float, throughput: float) -> int:
    return math.floor(throughput / (1000 / rtt * SEGMENT * 8))


class Pool:
    """Connections per origin: one per request that opened one (at least six for HTTP/1.1,
    one for H2); a request takes the free connection with the largest congestion window."""

    def __init__(self, requests: list[Request], rtt: float, throughput: float, net: Analysis):
        reused = connection_reused(requests, coarse=True)
        self.by_origin: dict[str, list[Connection]] = {}
        self.in_use: dict[int, Connection] = {}
        for origin, group in group_by_origin(requests).items():
            conns = [
                Connection(
                    rtt + net.additional_rtt.get(origin, 0.0),
                    throughput,
                    net.server_time.get(origin) or DEFAULT_SERVER_MS,
                    r.scheme in ("https", "wss"),
                    r.protocol == "h2",
                )
                for r in group
                if not reused.get(r.request_id)
            ]
            if not conns:
                raise ValueError(f"no connection for origin {origin}")
            while len(conns) < (1 if conns[0].h2 else PER_ORIGIN):
                conns.append(conns[0].copy())
            self.by_origin[origin] = conns

    def acquire(self, req: Request) -> Connection | None:
        busy = {id(c) for c in self.in_use.values()}
        best: Connection | None = None
        for conn in self.by_origin.get(req.origin, []):
            if id(conn) not in busy and (best is None or conn.cwnd > best.cwnd):
                best = conn
        if best is not None:
            self.in_use[id(req)] = best
        return best

    def active(self, req: Request) -> Connection:
        return self.in_use[id(req)]

    def release(self, req: Request) -> None:
        self.in_use.pop(id(req), None)


class DNSCache:
    """A host costs two round trips to resolve, less if resolution already started."""

    def __init__(self, rtt: float) -> None:
        self.rtt = rtt
        self.resolved: dict[str, float] = {}

    def time_until_resolved(self, host: str, at: float) -> float:
        wait = self.rtt * DNS_RTT_MULTIPLIER
        if host in self.resolved:
            wait = min(max(self.resolved[host] - at, 0.0), wait)
        self.resolved[host] = min(self.resolved.get(host, at + wait), at + wait)
        return wait

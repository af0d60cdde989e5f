"""Simulate a dependency graph under a throttling profile, as Lantern's ``Simulator`` does.

Nodes start when all their dependencies are complete, in order of their observed start (low
priority requests pushed back: 0.25 s for High to 2 s for VeryLow); one CPU task at a time,
its observed duration times the CPU factor (half of it for a task that laid out); at most
``max_concurrent`` requests in flight (10, fewer when the bandwidth-delay product cannot
saturate that many), each on a connection of its origin (``network.Pool``), the throughput
shared equally among them. Time advances to the next node to complete.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field

from .graph import CPUNode, NetworkNode, Node
from .network import Analysis, DNSCache, Pool, max_saturated_connections

PRIORITY_PENALTY_S = {"VeryHigh": 0.0, "High": 0.25, "Medium": 0.5, "Low": 1.0, "VeryLow": 2.0}
MAX_CPU_TASK_MS = 10_000
MAX_ITERATIONS = 100_000


@dataclass(frozen=True)
class Settings:
    """Simulated throttling: RTT (ms), throughput (bits/s), CPU factor, the share of it a layout
    task gets, and the most concurrent requests."""

    rtt: float = 150.0
    throughput: float = 1.6 * 1024 * 1024
    cpu: float = 4.0
    layout_share: float = 0.5
    max_concurrent: int = 10


MOBILE = Settings()
DESKTOP = Settings(rtt=40.0, throughput=10 * 1024 * 1024, cpu=1.0)


@dataclass
class Timing:
    """One node's simulated timing (ms from the simulation's start)."""

    queued: float
    start: float = math.nan
    end: float = math.nan
    elapsed: float = 0.0
    overshoot: float = 0.0
    nbytes: float = 0.0
    estimate: float = 0.0

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass
class Result:
    """The simulated time to finish the graph and each node's timing."""

    time_ms: float
    timings: dict[Node, Timing] = field(default_factory=dict)


def _position(node: Node) -> float:
    if isinstance(node, NetworkNode):
        return node.start + PRIORITY_PENALTY_S.get(node.request.priority, 0.0) * 1e6
    return node.start


class Simulator:
    """Simulates graphs for one load's network analysis under ``settings``."""

    def __init__(self, settings: Settings, analysis: Analysis) -> None:
        self.s = settings
        self.analysis = analysis
        self.max_requests = max(
            min(
                max_saturated_connections(settings.rtt, settings.throughput),
                settings.max_concurrent,
            ),
            1,
        )

    def simulate(self, root: Node) -> Result:
        """Simulate the graph ``root`` belongs to; raises ``ValueError`` on a cycle."""
        root = root.root()
        nodes = list(root.walk())
        requests = [n.request for n in nodes if isinstance(n, NetworkNode)]
        pool = Pool(requests, self.s.rtt, self.s.throughput, self.analysis)
        dns = DNSCache(self.s.rtt)
        timings: dict[Node, Timing] = {}
        waiting = set(nodes)
        ready: list[tuple[float, int, Node]] = []
        running: dict[Node, None] = {}
        done: set[Node] = set()
        counter = 0
        busy = {"cpu": 0, "network": 0}

        def make_ready(node: Node, at: float) -> None:
            nonlocal counter
            counter += 1
            bisect.insort(ready, (_position(node), counter, node))
            waiting.discard(node)
            timings[node] = Timing(queued=at)

        def remaining(node: Node) -> float:
            t = timings[node]
            if isinstance(node, CPUNode):
                mult = self.s.cpu * (self.s.layout_share if node.has("Layout") else 1.0)
                total = min(round(node.duration / 1000 * mult), MAX_CPU_TASK_MS)
                t.estimate = total - t.elapsed
                return t.estimate
            assert isinstance(node, NetworkNode)
            req = node.request
            if req.from_disk_cache:
                left = 8 + 20 * req.resource_size / 1024 / 1024 - t.elapsed
            elif node.non_network:
                left = 2 + 10 * req.resource_size / 1024 / 1024 - t.elapsed
            else:
                conn = pool.active(req)
                wait = dns.time_until_resolved(req.host, t.start)
                left = conn.download(
                    req.transfer_size - t.nbytes, already=t.elapsed, dns=wait
                ).elapsed
            t.estimate = left + t.overshoot
            return t.estimate

        make_ready(root, 0.0)
        total = 0.0
        for iteration in range(MAX_ITERATIONS + 1):
            if not ready and not running:
                break
            for entry in list(ready):
                node = entry[2]
                if isinstance(node, CPUNode):
                    if busy["cpu"]:
                        continue
                else:
                    assert isinstance(node, NetworkNode)
                    if not node.connectionless and (
                        busy["network"] >= self.max_requests or pool.acquire(node.request) is None
                    ):
                        continue
                ready.remove(entry)
                running[node] = None
                busy[node.kind] += 1
                timings[node].start = total
            if not running:
                raise ValueError("simulation: no node could start")
            if busy["network"]:
                for conn in pool.in_use.values():
                    conn.throughput = self.s.throughput / busy["network"]
            step = min(remaining(n) for n in running)
            if not math.isfinite(step) or iteration == MAX_ITERATIONS:
                raise ValueError("simulation failed: no progress")
            total += step
            for node in list(running):
                t = timings[node]
                finished = t.estimate == step
                if isinstance(node, NetworkNode) and not node.connectionless:
                    req = node.request
                    conn = pool.active(req)
                    wait = dns.time_until_resolved(req.host, t.start)
                    dl = conn.download(
                        req.transfer_size - t.nbytes,
                        already=t.elapsed,
                        limit=step - t.overshoot,
                        dns=wait,
                    )
                    conn.cwnd = dl.cwnd
                    if conn.h2:
                        conn.h2_overflow = dl.extra
                    if finished:
                        conn.warm = True
                        pool.release(req)
                    else:
                        t.elapsed += dl.elapsed
                        t.overshoot += dl.elapsed - step
                        t.nbytes += dl.nbytes
                elif not finished:
                    t.elapsed += step
                if finished:
                    del running[node]
                    done.add(node)
                    busy[node.kind] -= 1
                    t.end = total
                    for dep in node.dependents:
                        if dep in waiting and all(d in done for d in dep.dependencies):
                            make_ready(dep, total)
        return Result(total, dict(sorted(timings.items(), key=lambda kv: kv[1].start)))

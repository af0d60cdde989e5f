"""FCP, LCP, TBT and Speed Index from simulated graphs, with Lantern's graphs and coefficients.

Each metric simulates an *optimistic* and a *pessimistic* graph and reports a weighted sum:

- FCP: the requests that finished before the observed FCP and look render-blocking (VeryHigh
  priority, or a High-priority script or document; the optimistic graph leaves out those a
  script started) plus the first layout, paint and HTML parse and the tasks that evaluated the
  blocking scripts before FCP; 0.5 / 0.5.
- LCP: the same cut at the observed LCP with every request (optimistic: not the low-priority
  images) and, pessimistic, every layout task before it; the latest node end, low-priority
  images left out; 0.5 / 0.5, never below FCP.
- TBT: the whole graph; blocking time of the simulated tasks between the simulated FCP and
  Time to Interactive (the last task over 50 ms, not before LCP); 0.5 / 0.5.
- Speed Index: optimistic the observed Speed Index, pessimistic the layout tasks' simulated
  ends weighted by log2 of their duration; 1.4 / 0.4 at 150 ms RTT (both move toward 0.5 as the
  RTT drops to 30 ms), never below FCP.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from .graph import CPUNode, NetworkNode, Node
from .simulator import Result, Simulator

BLOCKING_MS = 50.0


@dataclass(frozen=True)
class Estimate:
    """A metric's value (ms) and its optimistic and pessimistic simulations."""

    value: float
    optimistic: Result
    pessimistic: Result


def paint_graph(
    graph: Node,
    cutoff: float,
    blocking: Callable[[NetworkNode], bool],
    extra_cpu: Callable[[CPUNode], bool] | None = None,
) -> Node:
    """The graph needed for a paint at ``cutoff`` (µs): Lantern's ``getFirstPaintBasedGraph``."""
    first_eval: dict[str, CPUNode] = {}
    before: list[CPUNode] = []
    scripts: set[str] = set()
    for node in graph.walk():
        if isinstance(node, CPUNode):
            if node.start <= cutoff:
                before.append(node)
            for url in node.script_urls():
                cur = first_eval.get(url, node)
                first_eval[url] = node if node.start < cur.start else cur
        elif (
            isinstance(node, NetworkNode)
            and node.request.resource_type == "Script"
            and node.end <= cutoff
            and blocking(node)
        ):
            scripts.add(node.request.url)
    before.sort(key=lambda n: n.start)
    not_blocking: set[str] = set()
    keep_cpu: set[str] = set()
    for url in scripts:
        task = first_eval.get(url)
        if task is None:
            continue
        if task in before:
            keep_cpu.add(task.id)
        else:
            not_blocking.add(url)
    for name in ("Layout", "Paint", "ParseHTML"):
        first = next((n for n in before if n.has(name)), None)
        if first is not None:
            keep_cpu.add(first.id)
    if extra_cpu is not None:
        keep_cpu.update(n.id for n in before if extra_cpu(n))

    def keep(node: Node) -> bool:
        if isinstance(node, NetworkNode):
            after = node.end > cutoff or node.start > cutoff
            if after and not node.is_main_document:
                return False
            if node.request.url in not_blocking:
                return False
            return blocking(node)
        return node.id in keep_cpu

    return graph.clone(keep)


def _combine(opt: float, pess: float, coeffs: tuple[float, float, float]) -> float:
    intercept, o, p = coeffs
    mult = min(1.0, opt / 1000) if intercept > 0 else 1.0
    return intercept * mult + o * opt + p * pess


def fcp(sim: Simulator, graph: Node, fcp_ts: float) -> Estimate:
    opt = sim.simulate(
        paint_graph(
            graph,
            fcp_ts,
            lambda n: n.render_blocking_priority() and n.request.initiator.get("type") != "script",
        )
    )
    pess = sim.simulate(paint_graph(graph, fcp_ts, lambda n: n.render_blocking_priority()))
    return Estimate(_combine(opt.time_ms, pess.time_ms, (0, 0.5, 0.5)), opt, pess)


def _not_low_image(node: Node) -> bool:
    if not isinstance(node, NetworkNode):
        return True
    low = node.request.priority in ("Low", "VeryLow")
    return node.request.resource_type != "Image" or not low


def _last_end(result: Result) -> float:
    return max((t.end for n, t in result.timings.items() if _not_low_image(n)), default=0.0)


def lcp(sim: Simulator, graph: Node, lcp_ts: float, first: Estimate) -> Estimate:
    opt = sim.simulate(paint_graph(graph, lcp_ts, _not_low_image))
    pess = sim.simulate(
        paint_graph(graph, lcp_ts, lambda n: True, extra_cpu=lambda n: n.has("Layout"))
    )
    value = _combine(_last_end(opt), _last_end(pess), (0, 0.5, 0.5))
    return Estimate(max(value, first.value), opt, pess)


def _long_task_end(result: Result, over: float = 50.0) -> float:
    return max(
        (t.end for n, t in result.timings.items() if isinstance(n, CPUNode) and t.duration > over),
        default=0.0,
    )


def _interactive_graph(graph: Node) -> Node:
    def keep(node: Node) -> bool:
        if isinstance(node, CPUNode):
            return node.duration > 20_000
        assert isinstance(node, NetworkNode)
        rtype, pri = node.request.resource_type, node.request.priority
        return rtype != "Image" and (rtype == "Script" or pri in ("High", "VeryHigh"))

    return graph.clone(keep)


def blocking_sum(result: Result, start: float, end: float) -> float:
    """Lighthouse's blocking time of the simulated tasks between ``start`` and ``end`` (ms)."""
    if end <= start:
        return 0.0
    total = 0.0
    for node, t in result.timings.items():
        if not isinstance(node, CPUNode) or t.duration < BLOCKING_MS:
            continue
        if t.end < start or t.start > end:
            continue
        clipped = min(t.end, end) - max(t.start, start)
        if clipped >= BLOCKING_MS:
            total += clipped - BLOCKING_MS
    return total


def tbt(sim: Simulator, graph: Node, first: Estimate, largest: Estimate) -> tuple[float, float]:
    """(TBT, Time to Interactive), both simulated."""
    full = sim.simulate(graph)
    opt_g = sim.simulate(_interactive_graph(graph))
    tti_opt = max(_last_end(largest.optimistic), _long_task_end(opt_g))
    tti_pess = max(_last_end(largest.pessimistic), _long_task_end(full))
    tti = max(_combine(tti_opt, tti_pess, (0, 0.45, 0.55)), largest.value)
    # Lantern's TBT crosses them over: optimistic with the pessimistic FCP and optimistic TTI.
    opt = blocking_sum(full, first.pessimistic.time_ms, tti_opt)
    pess = blocking_sum(full, first.optimistic.time_ms, tti_pess)
    return _combine(opt, pess, (0, 0.5, 0.5)), tti


def speed_index(sim: Simulator, graph: Node, observed: float, first: Estimate) -> float:
    full = sim.simulate(graph)
    weights = [
        (t.end, max(math.log2(t.duration), 0.0) if t.duration > 0 else 0.0)
        for n, t in full.timings.items()
        if isinstance(n, CPUNode) and n.has("Layout")
    ]
    fcp_ms = first.pessimistic.time_ms
    total_w = sum(w for _, w in weights)
    layout = sum(w * max(e, fcp_ms) for e, w in weights) / total_w if total_w else fcp_ms
    excess = max((sim.s.rtt - 30) / 120, 0.0)
    coeffs = (0.0, 0.5 + 0.9 * excess, 0.5 - 0.1 * excess)
    return max(_combine(observed, layout, coeffs), first.value)

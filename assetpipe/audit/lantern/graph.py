"""The page's dependency graph, as Lighthouse's Lantern builds it: network requests and
main-thread tasks (nodes), linked by what started what.

A request depends on the request that initiated it (its initiator's URL or the scripts on its
stack), else on the document; a main-thread task depends on the request whose script it
evaluates, whose stylesheet it parses, whose timer it fires or whose XHR it completes, and on
the frame's document; a request a task sends depends on that task. Short tasks (< 10 ms) with
one dependency or at most one dependent are pruned (their links pass through), except the first
layout, paint and HTML parse. Times are µs on the trace's clock.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

from .requests import Request, initiator_urls

TASK_NAMES = frozenset(
    {
        "RunTask",
        "ThreadControllerImpl::RunTask",
        "ThreadControllerImpl::DoWork",
        "TaskQueueManager::ProcessTaskFromWorkQueue",
    }
)
SIGNIFICANT_US = 10_000
NON_NETWORK = frozenset({"blob", "data", "intent", "file", "filesystem", "chrome-extension"})


class Node:
    """A graph node; ``dependencies`` must finish before it starts."""

    kind = ""

    def __init__(self, node_id: str) -> None:
        self.id = node_id
        self.dependencies: list[Node] = []
        self.dependents: list[Node] = []
        self.is_main_document = False

    @property
    def start(self) -> float:
        raise NotImplementedError

    @property
    def end(self) -> float:
        raise NotImplementedError

    def add_dependency(self, node: Node) -> None:
        if node is self:
            raise ValueError("a node cannot depend on itself")
        if node not in self.dependencies:
            node.dependents.append(self)
            self.dependencies.append(node)

    def remove_dependency(self, node: Node) -> None:
        if node in self.dependencies:
            node.dependents.remove(self)
            self.dependencies.remove(node)

    def can_depend_on(self, node: Node) -> bool:
        return node.start <= self.start

    def root(self) -> Node:
        node = self
        while node.dependencies:
            node = node.dependencies[0]
        return node

    def walk(self, nxt: Callable[[Node], list[Node]] | None = None) -> Iterator[Node]:
        """Breadth first from this node along ``nxt`` (default: dependents)."""
        step = nxt or (lambda n: n.dependents)
        seen = {self.id}
        queue = deque([self])
        while queue:
            node = queue.popleft()
            yield node
            for other in step(node):
                if other.id not in seen:
                    seen.add(other.id)
                    queue.append(other)

    def depends_on(self, node: Node) -> bool:
        return any(n is node for n in self.walk(lambda n: n.dependencies))

    def bare(self) -> Node:
        raise NotImplementedError

    def clone(self, keep: Callable[[Node], bool] | None = None) -> Node:
        """A copy of the whole graph with the nodes ``keep`` accepts and everything they
        depend on (Lantern's ``cloneWithRelationships``); returns this node's copy."""
        root = self.root()
        copies: dict[str, Node] = {}
        for node in root.walk():
            if node.id in copies:
                continue
            if keep is None:
                copies[node.id] = node.bare()
            elif keep(node):
                for dep in node.walk(lambda n: [p for p in n.dependencies if p.id not in copies]):
                    copies[dep.id] = dep.bare()
        for node in root.walk():
            copy = copies.get(node.id)
            if copy is not None:
                for dep in node.dependencies:
                    copy.add_dependency(copies[dep.id])
        return copies[self.id]


class NetworkNode(Node):
    kind = "network"

    def __init__(self, request: Request) -> None:
        super().__init__(request.request_id)
        self.request = request

    @property
    def start(self) -> float:
        return self.request.renderer_start * 1000.0

    @property
    def end(self) -> float:
        return self.request.network_end * 1000.0

    @property
    def non_network(self) -> bool:
        proto = self.request.protocol.split(":", 1)[0]
        return proto in NON_NETWORK or self.request.scheme in NON_NETWORK

    @property
    def connectionless(self) -> bool:
        return self.request.from_disk_cache or self.non_network

    def render_blocking_priority(self) -> bool:
        pri, rtype = self.request.priority, self.request.resource_type
        return pri == "VeryHigh" or (pri == "High" and rtype in ("Script", "Document"))

    def bare(self) -> Node:
        node = NetworkNode(self.request)
        node.is_main_document = self.is_main_document
        return node


class CPUNode(Node):
    kind = "cpu"

    def __init__(self, event: dict[str, Any], children: list[dict[str, Any]], end: float | None):
        super().__init__(f"{event.get('tid')}.{event['ts']}")
        self.event = event
        self.children = children
        self._end = end

    @property
    def start(self) -> float:
        return float(self.event["ts"])

    @property
    def end(self) -> float:
        return self._end if self._end is not None else self.start + float(self.event["dur"])

    @property
    def duration(self) -> float:
        return self.end - self.start

    def has(self, name: str) -> bool:
        return any(e.get("name") == name for e in self.children)

    def script_urls(self) -> set[str]:
        return {
            str(d["url"])
            for e in self.children
            if e.get("name") == "EvaluateScript"
            for d in [(e.get("args") or {}).get("data") or {}]
            if d.get("url")
        }

    def bare(self) -> Node:
        return CPUNode(self.event, self.children, self._end)


def cpu_nodes(thread: list[dict[str, Any]]) -> list[CPUNode]:
    """Top-level tasks of the main thread's events (sorted by ``ts``), each with its children."""
    nodes: list[CPUNode] = []
    i = 0
    while i < len(thread):
        ev = thread[i]
        i += 1
        if ev.get("name") not in TASK_NAMES or not ev.get("dur"):
            continue
        children: list[dict[str, Any]] = []
        end_cut: float | None = None
        end = ev["ts"] + ev["dur"]
        while i < len(thread) and thread[i]["ts"] < end:
            child = thread[i]
            if child.get("name") in TASK_NAMES and child.get("dur"):
                end_cut = child["ts"] - 1
                break
            children.append(child)
            i += 1
        nodes.append(CPUNode(ev, children, end_cut))
    return nodes


def _same_url(a: str, b: str) -> bool:
    return a.split("#", 1)[0] == b.split("#", 1)[0]


def _link_network(
    root: NetworkNode,
    nodes: list[NetworkNode],
    by_id: dict[str, NetworkNode],
    by_url: dict[str, list[NetworkNode]],
) -> None:
    for node in nodes:
        init = node.request.initiator_request or root.request
        direct = by_id.get(init.request_id, root)
        can = not direct.depends_on(node) and node.can_depend_on(direct)
        urls = initiator_urls(node.request)
        for url in urls or [""]:
            cands = by_url.get(url, []) if url else []
            if len(cands) == 1 and cands[0].start <= node.start and not cands[0].depends_on(node):
                node.add_dependency(cands[0])
            elif can and direct is not node:
                node.add_dependency(direct)
        if node is not root and not node.dependencies and node.can_depend_on(root):
            node.add_dependency(root)
        chain = [*node.request.redirects, node.request] if node.request.redirects else []
        for prev, cur in itertools.pairwise(chain):
            a, b = by_id.get(prev.request_id), by_id.get(cur.request_id)
            if a is not None and b is not None:
                b.add_dependency(a)


def _link_cpu(
    root: NetworkNode,
    by_id: dict[str, NetworkNode],
    by_url: dict[str, list[NetworkNode]],
    by_frame: dict[str, NetworkNode | None],
    cpus: list[CPUNode],
) -> None:
    def on_frame(cpu: CPUNode, frame: Any) -> None:
        net = by_frame.get(frame) if frame else None
        if net is not None and net.start < cpu.start:
            cpu.add_dependency(net)

    def on_url(cpu: CPUNode, url: Any) -> None:
        if not url:
            return
        best, best_d = None, float("inf")
        for cand in by_url.get(url, []):
            if cpu.start <= cand.start:
                return
            dist = cpu.start - cand.end
            if dist >= -100_000 and dist < best_d:
                best, best_d = cand, dist
        if best is not None:
            cpu.add_dependency(best)

    timers: dict[Any, CPUNode] = {}
    for cpu in cpus:
        for ev in cpu.children:
            data = (ev.get("args") or {}).get("data")
            if not isinstance(data, dict):
                continue
            name = ev.get("name")
            stack = [f["url"] for f in data.get("stackTrace") or () if f.get("url")]
            if name == "TimerInstall":
                timers[data.get("timerId")] = cpu
                for u in stack:
                    on_url(cpu, u)
            elif name == "TimerFire":
                inst = timers.get(data.get("timerId"))
                if inst is not None and inst.end <= cpu.start and inst is not cpu:
                    cpu.add_dependency(inst)
            elif name in ("InvalidateLayout", "ScheduleStyleRecalculation"):
                on_frame(cpu, data.get("frame"))
                for u in stack:
                    on_url(cpu, u)
            elif name == "EvaluateScript":
                on_frame(cpu, data.get("frame"))
                on_url(cpu, data.get("url"))
                for u in stack:
                    on_url(cpu, u)
            elif name == "XHRReadyStateChange":
                if data.get("readyState") == 4:
                    on_url(cpu, data.get("url"))
                    for u in stack:
                        on_url(cpu, u)
            elif name in ("FunctionCall", "v8.compile"):
                on_frame(cpu, data.get("frame"))
                on_url(cpu, data.get("url"))
            elif name == "ParseAuthorStyleSheet":
                on_frame(cpu, data.get("frame"))
                on_url(cpu, data.get("styleSheetUrl"))
            elif name == "ResourceSendRequest":
                on_frame(cpu, data.get("frame"))
                net = by_id.get(str(data.get("requestId")))
                rtype = None if net is None else net.request.resource_type
                if (
                    net is not None
                    and net.start > cpu.start
                    and rtype in ("XHR", "Fetch", "Script")
                ):
                    net.add_dependency(cpu)
                for u in stack:
                    on_url(cpu, u)
        if not cpu.dependencies and cpu.can_depend_on(root):
            cpu.add_dependency(root)
    firsts = {"Layout": False, "Paint": False, "ParseHTML": False}
    for cpu in cpus:
        first = False
        for name, found in firsts.items():
            if not found and cpu.has(name):
                firsts[name] = first = True
        if first or cpu.duration >= SIGNIFICANT_US:
            continue
        if len(cpu.dependencies) == 1 or len(cpu.dependents) <= 1:
            deps, dependents = list(cpu.dependencies), list(cpu.dependents)
            for dep in deps:
                cpu.remove_dependency(dep)
                for d in dependents:
                    d.add_dependency(dep)
            for d in dependents:
                d.remove_dependency(cpu)


def create_graph(
    thread: list[dict[str, Any]], requests: list[Request], url: str, main_document_url: str
) -> NetworkNode:
    """The graph of a load: ``thread`` the main thread's trace events sorted by ``ts``,
    ``requests`` from the DevTools log, ``url`` the requested URL; returns the root (the
    first request for ``url``). Raises ``ValueError`` when the load has no such request or no
    main-thread task."""
    nodes: list[NetworkNode] = []
    by_id: dict[str, NetworkNode] = {}
    by_url: dict[str, list[NetworkNode]] = {}
    by_frame: dict[str, NetworkNode | None] = {}
    for req in requests:
        if req.mime_type.startswith("video"):
            continue
        while req.request_id in by_id:
            req.request_id += ":duplicate"
        node = NetworkNode(req)
        nodes.append(node)
        by_id[req.request_id] = node
        by_url.setdefault(req.url, []).append(node)
        if req.frame_id and req.resource_type == "Document" and req.document_url == req.url:
            by_frame[req.frame_id] = None if req.frame_id in by_frame else node
    cpus = cpu_nodes(thread)
    if not cpus:
        raise ValueError("the trace has no main-thread task (RunTask) to simulate")
    root = next(
        (n for n in nodes if url.startswith(n.request.url) and _same_url(n.request.url, url)), None
    )
    docs = [
        n
        for n in nodes
        if n.request.resource_type == "Document"
        and main_document_url.startswith(n.request.url)
        and _same_url(n.request.url, main_document_url)
    ]
    if root is None or not docs:
        raise ValueError(f"the load has no request for {url}: nothing to simulate")
    _link_network(root, nodes, by_id, by_url)
    _link_cpu(root, by_id, by_url, by_frame, cpus)
    docs[-1].is_main_document = True
    return root


def host_of(url: str) -> str:
    return urlsplit(url).hostname or ""

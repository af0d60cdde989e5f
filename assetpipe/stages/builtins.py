"""Node's built-in modules in a browser build: a dynamic ``import()`` of one that nothing maps
for the browser (pdf.js's ``await import("fs")``, taken only under Node) is left as written, as
Vite does, where esbuild would fail the build on it (``bundling.build`` builds again with those
modules external). A static import of one stays esbuild's error: it would fail as the page
loads the module."""

from __future__ import annotations

import re

from ..esbuild.result import EsbuildError, Message

#: Node's built-in modules (``require("module").builtinModules``, Node 20, without subpaths)
NODE_BUILTINS = frozenset(
    [
        "assert",
        "async_hooks",
        "buffer",
        "child_process",
        "cluster",
        "console",
        "constants",
        "crypto",
        "dgram",
        "diagnostics_channel",
        "dns",
        "domain",
        "events",
        "fs",
        "http",
        "http2",
        "https",
        "inspector",
        "module",
        "net",
        "os",
        "path",
        "perf_hooks",
        "process",
        "punycode",
        "querystring",
        "readline",
        "repl",
        "stream",
        "string_decoder",
        "sys",
        "timers",
        "tls",
        "trace_events",
        "tty",
        "url",
        "util",
        "v8",
        "vm",
        "wasi",
        "worker_threads",
        "zlib",
    ]
)
_UNRESOLVED = re.compile(r'^Could not resolve "([^"]+)"')
_DYNAMIC = re.compile(r"\bimport\s*\(")


def builtin_errors(err: EsbuildError) -> list[tuple[Message, str]]:
    """The errors of ``err`` that are an unresolved Node built-in, with its name."""
    out = []
    for m in err.messages:
        found = _UNRESOLVED.match(m.text)
        name = found.group(1) if found else ""
        if name.startswith("node:") or name.split("/", 1)[0] in NODE_BUILTINS:
            out.append((m, name))
    return out


def dynamic_builtins(err: EsbuildError) -> set[str]:
    """The Node built-ins ``err`` failed on, when every error is one imported by ``import()``
    (the source line shows the call); else nothing."""
    found = builtin_errors(err)
    if len(found) != len(err.messages) or not all(
        m.line_text and _DYNAMIC.search(m.line_text) for m, _ in found
    ):
        return set()
    return {name for _, name in found}

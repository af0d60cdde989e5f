"""``EsbuildSession``, the stages' one handle on esbuild (``ctx.esbuild``): a one-shot session
runs plugin-free builds with the native binary and starts Node only for the url() plugin; an
incremental one (watch) makes each build a ``rebuild()`` of one context per option set and
records the metafile facts watch plans with. Real esbuild, real Node."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assetpipe import build, load_config
from assetpipe.errors import ExternalToolError
from assetpipe.esbuild.result import EsbuildError
from assetpipe.esbuild.session import EsbuildSession
from tests.conftest import run_cli

pytestmark = pytest.mark.node


def _project(root: Path) -> dict[str, Any]:
    (root / "app.js").write_text('import { v } from "./dep.js";\nwindow.v = v;\n')
    (root / "dep.js").write_text("export const v = 'first';\n")
    return {
        "entryPoints": ["app.js"],
        "absWorkingDir": str(root),
        "outdir": str(root / ".out" / "scripts"),
        "bundle": True,
        "format": "esm",
        "minify": True,
        "entryNames": "[dir]/[name]-[hash]",
    }


def _urls(root: Path) -> dict[str, Any]:
    return {"sourceRoot": str(root), "publicPath": "/static/", "external": {}}


def _js(result: Any) -> bytes:
    (name,) = [n for n in result.files if n.endswith(".js")]
    return bytes(result.files[name])


def test_one_shot_plugin_free_builds_need_no_node(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without ``urls`` the native binary builds (Node is not even looked for); with ``urls``
    the session needs Node, and says so (exit 3)."""
    opts = _project(tmp_path)
    monkeypatch.setenv("ASSETPIPE_NODE", str(tmp_path / "no-such-node"))
    with EsbuildSession() as session:
        assert b"first" in _js(session.build(opts))
        with pytest.raises(ExternalToolError, match=r"Node\.js not found"):
            session.build(opts, _urls(tmp_path))
        assert session.contexts is None  # one-shot: no contexts, no facts
        assert session.inputs("scripts") is None


def test_one_shot_service_is_started_once_and_closed_with_the_session(tmp_path: Path) -> None:
    opts = _project(tmp_path)
    session = EsbuildSession()
    native = session.build(opts)
    svc = session.service()
    through_service = session.build(opts, _urls(tmp_path))
    assert session.service() is svc and svc.alive
    # both ways build the same bytes from the same options
    assert native.files == through_service.files
    session.close()
    assert not svc.alive
    # usable again after close: a new service
    assert session.build(opts, _urls(tmp_path)).files == native.files
    assert session.service() is not svc
    session.close()


def test_incremental_builds_are_rebuilds_of_one_context_per_option_set(tmp_path: Path) -> None:
    opts = _project(tmp_path)
    with EsbuildSession(incremental=True) as session:
        first = session.build(opts)
        contexts = session.contexts
        assert contexts is not None and (contexts.contexts_made, contexts.rebuilds) == (1, 1)
        assert session.inputs("scripts") == frozenset({"app.js", "dep.js"})
        assert session.external_urls("scripts") == frozenset()
        (tmp_path / "dep.js").write_text("export const v = 'second';\n")
        second = session.build(opts)
        assert b"second" in _js(second) and _js(second) != _js(first)
        assert (contexts.contexts_made, contexts.rebuilds) == (1, 2)  # esbuild's rebuild()
        # new options (another entry): the old context is disposed, a new one made
        (tmp_path / "other.js").write_text("window.o = 1;\n")
        session.build({**opts, "entryPoints": ["app.js", "other.js"]})
        assert contexts.contexts_made == 2
        assert session.inputs("scripts") == frozenset({"app.js", "dep.js", "other.js"})
        # the url() plugin on: a context of its own
        session.build(opts, _urls(tmp_path))
        assert contexts.contexts_made == 3
        assert session.service() is contexts.service  # one Node process for all of them


def test_incremental_session_reports_errors_and_recovers(tmp_path: Path) -> None:
    opts = _project(tmp_path)
    with EsbuildSession(incremental=True) as session:
        session.build(opts)
        (tmp_path / "dep.js").write_text("export const v = ;\n")
        with pytest.raises(EsbuildError) as info:
            session.build(opts)
        assert (info.value.messages[0].file, info.value.messages[0].line) == ("dep.js", 1)
        (tmp_path / "dep.js").write_text("export const v = 'fixed';\n")
        assert b"fixed" in _js(session.build(opts))


def test_incremental_session_starts_a_dead_service_again(tmp_path: Path) -> None:
    opts = _project(tmp_path)
    with EsbuildSession(incremental=True) as session:
        session.build(opts)
        dead = session.contexts
        assert dead is not None
        dead.service._proc.kill()
        dead.service._proc.wait()
        assert b"first" in _js(session.build(opts))
        assert session.contexts is not dead and session.contexts is not None
        assert session.contexts.service.alive and session.contexts.contexts_made == 1


def test_a_build_without_scripts_or_styles_never_looks_for_esbuild(
    make_site: Callable[..., Path],
) -> None:
    """The session locates esbuild on first use only: a static-only build runs with an
    esbuild override that would fail if it were asked anything. A real process each time:
    esbuild is located once per process, so an in-process build could answer from memory."""
    calls = make_site("source: site\n", {"site/robots.txt": "User-agent: *\n"}, name="static")
    probe = calls / "esbuild"
    probe.write_text(f"#!/bin/sh\necho asked >> {calls / 'asked'}\nexit 1\n")
    probe.chmod(0o755)
    env = {"ESBUILD_BINARY_PATH": str(probe)}
    res = run_cli("build", cwd=calls, env=env)
    assert res.code == 0, res.err
    assert not (calls / "asked").exists()
    # the same override with a script entry: esbuild is asked, and refused (exit 3)
    (calls / "site" / "a.js").write_text("window.a = 1;\n")
    (calls / "pipeline.yaml").write_text('source: site\nscripts:\n  entries: ["a.js"]\n')
    res = run_cli("build", cwd=calls, env=env)
    assert res.code == 3 and "esbuild version mismatch" in res.err, res.err
    assert (calls / "asked").exists()


def test_a_prestarted_build_is_taken_by_the_build_of_the_same_options(tmp_path: Path) -> None:
    """``prestart`` runs the native build in the background; the next ``build()`` of the same
    options takes its result (the sources as they were when it started), a build of other
    options into the same folder stops it first, and ``close()`` stops one never taken."""
    opts = _project(tmp_path)
    session = EsbuildSession()
    session.prestart(opts)
    pending = session._pending[opts["outdir"]]
    pending.proc.wait()  # it has built 'first'; an edit now is not in its result
    (tmp_path / "dep.js").write_text("export const v = 'second';\n")
    assert b"first" in _js(session.build(opts))
    assert b"second" in _js(session.build(opts))  # taken once: this one runs anew

    session.prestart(opts)
    pending = session._pending[opts["outdir"]]
    other = {**opts, "minify": False}
    assert b"second" in _js(session.build(other))
    assert not session._pending and pending.proc.returncode is not None

    # one build per scratch folder: another folder's stays until its own build or close()
    elsewhere = {**opts, "outdir": str(tmp_path / ".out" / "styles")}
    session.prestart(opts)
    session.prestart(elsewhere)
    pending = session._pending[opts["outdir"]]
    assert b"second" in _js(session.build(elsewhere))
    assert session._pending == {opts["outdir"]: pending}
    session.close()
    assert pending.proc.returncode is not None and not session._pending


def _esbuild_children() -> list[str]:
    """This process's child processes that run esbuild (any state, zombies included)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, _, rest = stat.read_text().rpartition(")")
        except OSError:
            continue
        comm, fields = head.partition("(")[2], rest.split()
        if int(fields[1]) == os.getpid() and "esbuild" in comm:
            found.append(f"{stat.parent.name} {comm} {fields[0]}")
    return found


def test_a_cold_build_that_fails_before_its_stages_stops_the_early_esbuild(
    make_site: Callable[..., Path],
) -> None:
    """A cold build starts esbuild as soon as the config is read; when the build then fails
    before any stage owns that esbuild (here its build folder cannot be made), the esbuild is
    stopped and reaped, not left running or as a zombie."""
    root = make_site(
        "source: site\nscripts:\n  entries: [js/app.js]\n",
        {"site/js/app.js": "console.log('x');\n", "site/index.html": "<p>x</p>\n"},
    )
    (root / ".assetpipe").mkdir()
    (root / ".assetpipe" / "builds").write_text("a file where the builds folder goes\n")
    assert not _esbuild_children()
    with pytest.raises(OSError):
        build(load_config(root / "pipeline.yaml"), clean=True)
    assert not _esbuild_children()

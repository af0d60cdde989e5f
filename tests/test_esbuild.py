"""The esbuild seam: installation and version checks, the native CLI's log parser, the Node
service (build, context/rebuild with write:false), and the installed-wheel path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from assetpipe.errors import ExternalToolError
from assetpipe.esbuild.install import Esbuild, install_dir, package_files, pinned_version
from assetpipe.esbuild.native import cli_args, parse_log
from assetpipe.esbuild.result import EsbuildError, Message, format_message
from assetpipe.esbuild.service import Service
from tests.conftest import REPO, run_cli
from tests.wheels import build_wheel

pytestmark = pytest.mark.node


def test_the_pin_is_exact_and_matches_the_installed_binary() -> None:
    pkg = json.loads((REPO / "node" / "package.json").read_text())
    pinned = pkg["dependencies"]["esbuild"]
    assert pinned[0].isdigit(), "the esbuild pin must be an exact version, no range"
    assert pinned_version(REPO / "node") == pinned
    files, from_wheel = package_files()
    assert files == REPO / "node" and not from_wheel  # a checkout uses node/
    assert install_dir() == REPO / "node"
    tool = Esbuild.locate()
    assert tool.version == pinned
    out = subprocess.run([str(tool.binary), "--version"], capture_output=True, text=True)
    assert out.stdout.strip() == pinned


def test_parse_log_reads_esbuilds_real_cli_output(tmp_path: Path) -> None:
    (tmp_path / "bad.js").write_text('import "./nope.js";\nlet a = 1 +;\n')
    (tmp_path / "warn.js").write_text("if (x == -0) {}\ntypeof y == 'nope';\n")
    tool = Esbuild.locate()
    bad = subprocess.run(
        [str(tool.binary), "bad.js", "--bundle", "--color=false", "--log-level=warning"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    errors, _ = parse_log(bad.stderr)
    assert bad.returncode == 1
    assert [(e.file, e.line, e.col) for e in errors] == [("bad.js", 2, 12)]
    assert errors[0].text == 'Unexpected ";"' and errors[0].line_text == "let a = 1 +;"
    warn = subprocess.run(
        [str(tool.binary), "warn.js", "--color=false", "--log-level=warning"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    errors, warnings = parse_log(warn.stderr)
    assert errors == [] and len(warnings) == 2
    assert warnings[0].file == "warn.js" and warnings[0].line == 1
    assert "-0" in warnings[0].text


def test_an_error_in_a_minified_line_shows_the_text_around_its_column_only() -> None:
    """An error deep in a minified file's one line (sqladmin's fontawesome-all.min.css names a
    font it does not ship, at column 17,889 of a 24 KB line) printed the whole line and a caret
    line of as many spaces: 40 KB on the terminal for one error. The excerpt is now cut to
    120 characters around the column, the caret still under it; a short line is unchanged."""
    line = "".join(f".i{n}{{content:'{n}'}}" for n in range(2000))
    col = line.index(".i1000{") + 1
    msg = Message('Could not resolve "x.woff2"', "css/all.min.css", 9, col, line)
    shown = format_message(msg, "static/css/all.min.css")
    where, source, caret = shown.split("\n")
    assert where == "static/css/all.min.css:9:" + str(col) + ': Could not resolve "x.woff2"'
    assert source.startswith("    9 | ...") and source.endswith("...")
    assert len(source) < 140 and len(caret) < 140
    assert source[len(caret) - 1 :].startswith(".i1000{")
    short = Message("Unexpected ;", "a.js", 2, 12, "let a = 1 +;")
    assert short.source_excerpt() == "\n    2 | let a = 1 +;\n" + " " * 19 + "^"
    # the native CLI's log gives esbuild's own cut of the line: no caret 187,888 spaces in
    cut = '...odule.exports=t(require("./item")):e.Outlayer=t(e,e.EvEmitte...'
    far = Message('Could not resolve "./item"', "js/vendor.js", 1, 187889, cut)
    assert far.source_excerpt() == f"\n    1 | {cut}"


def test_cli_args_refuses_an_option_it_does_not_translate() -> None:
    assert cli_args(
        {
            "entryPoints": ["a.js"],
            "bundle": True,
            "target": ["es2020", "chrome90"],
            "define": {"A": "1"},
            "sourcemap": "linked",
            "minify": False,
        }
    ) == ["a.js", "--bundle", "--target=es2020,chrome90", "--define:A=1", "--sourcemap=linked"]
    with pytest.raises(ValueError, match="mangleProps"):
        cli_args({"mangleProps": "_$"})


def _opts(root: Path) -> dict[str, object]:
    return {
        "entryPoints": ["app.js"],
        "absWorkingDir": str(root),
        "outdir": str(root / "out"),
        "bundle": True,
        "format": "esm",
        "minify": True,
        "entryNames": "[dir]/[name]-[hash]",
    }


def test_service_build_context_rebuild_write_nothing(tmp_path: Path) -> None:
    (tmp_path / "app.js").write_text('import { v } from "./dep.js";\nwindow.v = v;\n')
    (tmp_path / "dep.js").write_text("export const v = 'first';\n")
    opts = _opts(tmp_path)
    with Service(Esbuild.locate()) as svc:
        one = svc.build(opts)
        assert (
            list(one.files) == [next(iter(one.files))]
            and "first" in next(iter(one.files.values())).decode()
        )
        svc.context("t", opts)
        first = svc.rebuild("t", opts)
        (tmp_path / "dep.js").write_text("export const v = 'second';\n")
        second = svc.rebuild("t", opts)
        name1, name2 = next(iter(first.files)), next(iter(second.files))
        assert name1 != name2 and b"second" in second.files[name2]
        assert second.metafile["outputs"][name2]["entryPoint"] == "app.js"
        (tmp_path / "dep.js").write_text("export const v = ;\n")
        with pytest.raises(EsbuildError) as info:
            svc.rebuild("t", opts)
        assert info.value.messages[0].file == "dep.js" and info.value.messages[0].line == 1
        svc.dispose("t")
    assert not (tmp_path / "out").exists()  # write: false — esbuild wrote nothing


def test_service_crash_is_an_external_tool_error(tmp_path: Path) -> None:
    svc = Service(Esbuild.locate())
    try:
        svc._proc.kill()
        svc._proc.wait()
        with pytest.raises(ExternalToolError, match="esbuild service"):
            svc.build(_opts(tmp_path))
    finally:
        svc.close()


STYLE_NEEDS_SERVICE = {
    "pipeline.yaml": 'source: site\nstyles:\n  entries: ["css/app.css"]\n',
    "site/css/app.css": ".a { background: url(/static/img/a.svg); }\n",
    "site/img/a.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>\n",
}


def test_no_node_when_the_service_is_needed_exits_3_with_a_hint(
    make_site: Callable[..., Path],
) -> None:
    files = dict(STYLE_NEEDS_SERVICE)
    root = make_site(files.pop("pipeline.yaml"), files)
    res = run_cli("build", cwd=root, env={"ASSETPIPE_NODE": str(root / "no-such-node")})
    assert res.code == 3, res.err
    assert "error: Node.js not found" in res.err and "hint: install Node.js 20" in res.err
    assert not (root / "dist").exists()


def test_esbuild_version_mismatch_exits_3(make_site: Callable[..., Path]) -> None:
    """ESBUILD_BINARY_PATH (esbuild's own override) naming another esbuild build is refused.
    The other build is stood in for by a script answering ``--version`` as esbuild 0.19.0
    does: only one esbuild version is installed here, and --version is all that runs."""
    root = make_site(
        'source: site\nscripts:\n  entries: ["a.js"]\n', {"site/a.js": "window.a = 1;\n"}
    )
    fake = root / "esbuild-0.19"
    fake.write_text("#!/bin/sh\necho 0.19.0\n")
    fake.chmod(0o755)
    res = run_cli("build", cwd=root, env={"ESBUILD_BINARY_PATH": str(fake)})
    assert res.code == 3, res.err
    assert (
        f"esbuild version mismatch: ESBUILD_BINARY_PATH is 0.19.0, assetpipe pins "
        f"{pinned_version(REPO / 'node')}" in res.err
    )
    assert "hint: unset ESBUILD_BINARY_PATH" in res.err


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel (``tests.wheels.build_wheel``), unpacked: importable with PYTHONPATH."""
    out = tmp_path_factory.mktemp("wheel")
    whl = build_wheel(out)
    site = out / "site"
    with zipfile.ZipFile(whl) as z:
        z.extractall(site)
    return site


def test_installed_wheel_carries_the_pin_and_installs_it_into_the_user_cache(
    wheel: Path, tmp_path: Path
) -> None:
    for name in ("package.json", "package-lock.json", "service.mjs"):
        assert (wheel / "assetpipe" / "_node" / name).read_bytes() == (
            REPO / "node" / name
        ).read_bytes()
    cache = tmp_path / "cache"
    project = tmp_path / "proj"
    (project / "site" / "css").mkdir(parents=True)
    (project / "site" / "img").mkdir()
    (project / "pipeline.yaml").write_text(
        'source: site\nscripts:\n  entries: ["app.js"]\nstyles:\n  entries: ["css/a.css"]\n'
    )
    (project / "site" / "app.js").write_text("window.fromWheel = 1 + 1;\n")
    (project / "site" / "css" / "a.css").write_text(".x{background:url(/static/img/i.svg)}\n")
    (project / "site" / "img" / "i.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    code = (
        "import assetpipe, assetpipe.esbuild.install as e, json; "
        "t = e.Esbuild.locate(); r = assetpipe.build('pipeline.yaml'); "
        "print(json.dumps([assetpipe.__file__, str(e.install_dir()), str(t.binary), "
        "r.manifest['app.js']['file'], r.manifest['css/a.css']['file']]))"
    )
    env = {**os.environ, "PYTHONPATH": str(wheel), "ASSETPIPE_NODE_CACHE": str(cache)}
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    mod, folder, binary, js, css = json.loads(proc.stdout.strip().splitlines()[-1])
    assert mod.startswith(str(wheel))
    assert Path(folder).parent == cache and Path(folder).name.startswith("node-")
    assert binary.startswith(folder)
    assert (Path(folder) / "service.mjs").is_file()
    assert (project / "dist" / "public" / js).is_file()
    assert 'url("../img/i-' in (project / "dist" / "public" / css).read_text()
    # a stale install (another esbuild in node_modules) is reinstalled with npm ci
    pkg = Path(folder) / "node_modules" / "esbuild" / "package.json"
    doc = json.loads(pkg.read_text())
    doc["version"] = "0.0.1"
    pkg.write_text(json.dumps(doc))
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(pkg.read_text())["version"] == pinned_version(REPO / "node")


def test_installed_wheel_without_node_exits_3(wheel: Path, tmp_path: Path) -> None:
    project = tmp_path / "proj"
    (project / "site").mkdir(parents=True)
    (project / "pipeline.yaml").write_text('source: site\nscripts:\n  entries: ["a.js"]\n')
    (project / "site" / "a.js").write_text("window.a = 1;\n")
    env = {
        **os.environ,
        "PYTHONPATH": str(wheel),
        "ASSETPIPE_NODE_CACHE": str(tmp_path / "c"),
        "PATH": str(Path(sys.executable).parent),
        "NO_COLOR": "1",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "assetpipe", "build"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 3, proc.stderr
    assert "error: Node.js not found (needed to install esbuild" in proc.stderr
    assert "hint: install Node.js 20 or newer" in proc.stderr


def test_the_binary_version_is_asked_once_per_binary(tmp_path: Path) -> None:
    """``--version`` costs a process start per build; it is remembered by the binary's stamp
    (path, size, mtime, inode) and asked again when the binary changes."""
    from assetpipe.esbuild.install import _binary_version

    calls = tmp_path / "calls"
    fake = tmp_path / "esbuild"
    fake.write_text(f"#!/bin/sh\necho x >> {calls}\necho 0.28.2\n")
    fake.chmod(0o755)
    assert _binary_version(fake, tmp_path) == "0.28.2"
    assert _binary_version(fake, tmp_path) == "0.28.2"
    assert calls.read_text().count("x") == 1
    st = fake.stat()
    os.utime(fake, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert _binary_version(fake, tmp_path) == "0.28.2"
    assert calls.read_text().count("x") == 2

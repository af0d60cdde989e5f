"""The scripts stage: real esbuild on tiny real apps; assertions on output bytes and manifest."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from assetpipe import build
from assetpipe.config import load_config
from assetpipe.esbuild.install import Esbuild
from assetpipe.esbuild.native import command
from assetpipe.manifest import Manifest
from assetpipe.stages import scripts
from assetpipe.stages.bundling import Settings
from tests.conftest import run_cli, tree_bytes

pytestmark = pytest.mark.node

CONFIG = """\
source: site
output: dist
scripts:
  entries: ["js/a.js", "js/b.js"]
"""

APP: dict[str, str | bytes] = {
    "site/js/a.js": """\
        // entry a: the shared module, and a chunk loaded on demand
        import { shared } from "./lib/shared.js";
        window.__a = shared("a");
        import("./lazy.js").then((m) => { document.body.dataset.lazy = m.lazy(shared("x")); });
        """,
    "site/js/b.js": """\
        import { shared } from "./lib/shared.js";
        window.__b = shared("b");
        """,
    "site/js/lib/shared.js": """\
        export function shared(name) { return `shared:${name}`; }
        """,
    "site/js/lazy.js": """\
        export function lazy(value) { return `lazy(${value})`; }
        """,
}


def manifest_of(root: Path) -> Manifest:
    return Manifest.read(root / "dist" / "manifest.json")


def test_two_entries_share_a_chunk_and_a_dynamic_import_is_its_own_chunk(
    make_site: Callable[..., Path],
) -> None:
    root = make_site(CONFIG, APP)
    build(root / "pipeline.yaml")
    m = manifest_of(root)
    a, b, lazy = m["js/a.js"], m["js/b.js"], m["js/lazy.js"]
    shared = [k for k in m if k.startswith("_")]
    assert len(shared) == 1, shared
    key = shared[0]
    # Vite's meaning: imports / dynamicImports list manifest KEYS
    assert key in a["imports"] and key in b["imports"]
    assert a["dynamicImports"] == ["js/lazy.js"]
    assert a["isEntry"] is True and b["isEntry"] is True
    assert lazy["isDynamicEntry"] is True and "isEntry" not in lazy
    assert key == "_" + Path(m[key]["file"]).name  # shared chunks keyed "_" + file name
    assert m[key]["file"].startswith("js/chunks/chunk-")
    assert lazy["file"].startswith("js/chunks/lazy-")
    assert a["file"].startswith("js/a-") and a["src"] == "js/a.js"
    public = root / "dist" / "public"
    for entry in (a, b, lazy, m[key]):
        data = (public / entry["file"]).read_bytes()
        assert entry["size"] == len(data)
        assert entry["integrity"].startswith("sha384-")
        assert entry["map"] == entry["file"] + ".map"
        assert (public / entry["map"]).is_file()
    # the bundle really imports the chunk files the manifest names
    a_code = (public / a["file"]).read_text()
    assert Path(m[key]["file"]).name in a_code and Path(lazy["file"]).name in a_code
    # with public_path set, esbuild writes chunk and map URLs under it
    assert f'from"/static/{m[key]["file"]}"' in a_code
    assert a_code.rstrip().endswith(f"//# sourceMappingURL=/static/{a['map']}")
    # minified: no comments, no source formatting left
    assert "entry a" not in a_code and "\n  " not in a_code


def test_names_are_esbuilds_hashes_not_hashed_twice(make_site: Callable[..., Path]) -> None:
    root = make_site(CONFIG, APP)
    build(root / "pipeline.yaml")
    files = {e["file"] for e in manifest_of(root).entries.values()}
    for f in files:
        stem = Path(f).name.split(".")[0]
        assert stem.count("-") == 1, f  # name-HASH, never name-HASH-HASH


def test_bundle_bytes_equal_esbuilds_own_cli_output(make_site: Callable[..., Path]) -> None:
    """Orchestration adds nothing to what users ship: the files equal the raw CLI's, run by
    hand with the same options, byte for byte (maps included)."""
    root = make_site(CONFIG, APP)
    build(root / "pipeline.yaml")
    public = root / "dist" / "public"
    ours = {
        p.relative_to(public).as_posix(): p.read_bytes()
        for p in public.rglob("*")
        if p.is_file() and p.name.endswith((".js", ".map"))
    }
    # the stage's own options, run by hand (esbuild writes where the stage pointed it)
    opts = scripts.options(Settings(load_config(root / "pipeline.yaml")), ["js/a.js", "js/b.js"])
    cmd, env = command(Esbuild.locate(), opts)
    subprocess.run([*cmd, "--log-level=error"], cwd=opts["absWorkingDir"], env=env, check=True)
    outdir = Path(opts["outdir"])
    theirs = {
        p.relative_to(outdir).as_posix(): p.read_bytes() for p in outdir.rglob("*") if p.is_file()
    }
    assert len(ours) == 8
    assert ours == theirs


def test_build_twice_gives_identical_bytes(make_site: Callable[..., Path]) -> None:
    one = make_site(CONFIG, APP, name="one")
    two = make_site(CONFIG, APP, name="two")
    build(one / "pipeline.yaml")
    build(two / "pipeline.yaml")
    build(two / "pipeline.yaml")
    assert tree_bytes(one / "dist" / "public") == tree_bytes(two / "dist" / "public")
    assert (one / "dist" / "manifest.json").read_bytes() == (
        two / "dist" / "manifest.json"
    ).read_bytes()


@pytest.mark.parametrize(
    ("mode", "map_file", "comment"),
    [
        ("linked", True, True),
        ("hidden", True, False),
        ("inline", False, True),
        ("none", False, False),
    ],
)
def test_sourcemap_modes(
    make_site: Callable[..., Path], mode: str, map_file: bool, comment: bool
) -> None:
    root = make_site(CONFIG + f"  sourcemap: {mode}\n", APP)
    build(root / "pipeline.yaml")
    m = manifest_of(root)
    a = m["js/a.js"]
    code = (root / "dist" / "public" / a["file"]).read_text()
    assert ("map" in a) is map_file
    assert ("//# sourceMappingURL=" in code) is comment
    if mode == "inline":
        assert "sourceMappingURL=data:application/json;base64," in code
    if map_file:
        doc = json.loads((root / "dist" / "public" / a["map"]).read_bytes())
        assert any(s.endswith("js/a.js") for s in doc["sources"])
        if mode == "linked":  # the URL names the map that sits beside the file
            assert code.rstrip().endswith("sourceMappingURL=/static/" + a["map"])


def test_define_target_and_legal_comments(make_site: Callable[..., Path]) -> None:
    config = """\
        source: site
        output: dist
        scripts:
          entries: ["js/app.js"]
          target: [es2015]
          define: {__MODE__: '"prod"', DEBUG: false}
          legal_comments: inline
        """
    root = make_site(
        config.replace("        ", ""),
        {
            "site/js/app.js": """\
            /*! Copyright 2026 Example Ltd. MIT */
            const o = { a: 1 };
            window.v = o?.a ?? 2;
            window.mode = __MODE__;
            if (DEBUG) { window.debug = "on"; }
            """
        },
    )
    build(root / "pipeline.yaml")
    code = (root / "dist" / "public" / manifest_of(root)["js/app.js"]["file"]).read_text()
    assert '"prod"' in code and "__MODE__" not in code
    assert "debug" not in code  # dead code after define
    assert "?." not in code and "??" not in code  # lowered for es2015
    assert "/*! Copyright 2026 Example Ltd. MIT */" in code


def test_typescript_and_jsx_entries(make_site: Callable[..., Path]) -> None:
    config = 'source: site\noutput: dist\nscripts:\n  entries: ["js/*.{ts,tsx}"]\n'
    root = make_site(
        config,
        {
            "site/js/main.ts": "const n: number = 41; (window as any).n = n + 1;\n",
            "site/js/view.tsx": "const h = (t: string, p: object) => [t, p];\n"
            "const React = { createElement: h };\n"
            '(window as any).v = <div id="x" />;\n',
        },
    )
    build(root / "pipeline.yaml")
    m = manifest_of(root)
    assert m["js/main.ts"]["file"].endswith(".js")
    assert m["js/view.tsx"]["file"].endswith(".js")
    main = (root / "dist" / "public" / m["js/main.ts"]["file"]).read_text()
    view = (root / "dist" / "public" / m["js/view.tsx"]["file"]).read_text()
    assert ": number" not in main and " as any" not in main  # the types are gone
    assert "<div" not in view  # the JSX is gone
    # and what is left runs: the outputs executed by Node set what the sources compute
    assert run_in_node(main, "window.n") == 42
    assert run_in_node(view, "window.v") == ["div", {"id": "x"}]


def run_in_node(code: str, expression: str) -> object:
    """Run a built script in Node with ``window`` as the global object; ``expression``'s JSON."""
    node = shutil.which("node")
    assert node is not None, "the node marker's tests need Node.js"
    program = (
        f"globalThis.window = globalThis;\n{code}\n;console.log(JSON.stringify({expression}));"
    )
    proc = subprocess.run(
        [node, "--input-type=module"],
        input=program,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_users_npm_package_resolves_from_the_projects_node_modules(
    make_site: Callable[..., Path],
) -> None:
    """A package in the project's own node_modules (beside pipeline.yaml) is bundled."""
    root = make_site(
        CONFIG.replace('["js/a.js", "js/b.js"]', '["js/app.js"]'),
        {
            "site/js/app.js": 'import { greet } from "tiny-greet";\nwindow.g = greet("you");\n',
            "node_modules/tiny-greet/package.json": json.dumps(
                {"name": "tiny-greet", "version": "1.0.0", "type": "module", "main": "index.js"}
            ),
            "node_modules/tiny-greet/index.js": 'export function greet(n) { return "hello from tiny-greet, " + n; }\n',
        },
    )
    build(root / "pipeline.yaml")
    code = (root / "dist" / "public" / manifest_of(root)["js/app.js"]["file"]).read_text()
    assert "hello from tiny-greet" in code


def test_package_outside_the_source_tree_resolves_through_node_paths(
    make_site: Callable[..., Path], tmp_path: Path
) -> None:
    """``source`` outside the config folder still sees the project's node_modules."""
    root = make_site(
        'source: ../elsewhere/site\noutput: dist\nscripts:\n  entries: ["app.js"]\n',
        {
            "node_modules/far-pkg/index.js": "export const far = 'far-away';\n",
            "node_modules/far-pkg/package.json": '{"name": "far-pkg"}',
        },
    )
    src = tmp_path / "elsewhere" / "site"
    src.mkdir(parents=True)
    (src / "app.js").write_text('import { far } from "far-pkg";\nwindow.f = far;\n')
    build(root / "pipeline.yaml")
    m = Manifest.read(root / "dist" / "manifest.json")
    assert "far-away" in (root / "dist" / "public" / m["app.js"]["file"]).read_text()


def test_sources_under_a_commonjs_package_json_get_a_warning(
    make_site: Callable[..., Path],
) -> None:
    root = make_site(
        CONFIG,
        {
            **APP,
            "package.json": json.dumps({"name": "proj", "version": "1.0.0", "type": "commonjs"}),
        },
    )
    result = build(root / "pipeline.yaml")
    msgs = [w for w in result.warnings if "commonjs" in w.message]
    assert len(msgs) == 1
    assert msgs[0].location is not None and msgs[0].location.file == "package.json"


def test_no_warning_under_a_module_package_json(make_site: Callable[..., Path]) -> None:
    root = make_site(CONFIG, {**APP, "package.json": '{"name": "proj", "type": "module"}'})
    assert build(root / "pipeline.yaml").warnings == []


def test_syntax_error_is_file_line_col_with_source_line_exit_1_output_untouched(
    make_site: Callable[..., Path],
) -> None:
    root = make_site(CONFIG, APP)
    assert run_cli("build", cwd=root).code == 0
    before = tree_bytes(root / "dist")
    (root / "site/js/b.js").write_text(
        'import { shared } from "./lib/shared.js";\nwindow.__b = shared("b";\n'
    )
    res = run_cli("build", cwd=root)
    assert res.code == 1, res.err
    assert 'error: site/js/b.js:2:24: Expected ")" but found ";"' in res.err
    assert 'window.__b = shared("b";' in res.err  # the source line
    assert "Traceback" not in res.err
    assert tree_bytes(root / "dist") == before


def test_unresolved_import_names_the_importing_line(make_site: Callable[..., Path]) -> None:
    root = make_site(CONFIG, {**APP, "site/js/b.js": '\nimport { x } from "./missing.js";\n'})
    res = run_cli("build", "--json", cwd=root)
    assert res.code == 1
    doc = json.loads(res.out)
    assert doc["errors"][0]["message"].startswith(
        'site/js/b.js:2:19: Could not resolve "./missing.js"'
    )
    assert not (root / "dist").exists()


def test_a_dynamic_import_of_a_node_builtin_is_left_as_written(
    make_site: Callable[..., Path],
) -> None:
    """calibre-web's vendored pdf.js does ``await import("fs")`` (and http, https, url) when it
    runs under Node: esbuild failed the build on it, so the adopted app could not build. Those
    imports are left as written (Vite externalizes them too) and listed in report.json; a static
    import of one is still an error naming its line."""
    pdf = (
        "export async function load(u) {\n"
        "  if (typeof window === 'undefined') {\n"
        '    const fs = await import( /*webpackIgnore: true*/"fs");\n'
        '    const http = await import("node:http");\n'
        "    return [fs, http];\n"
        "  }\n"
        "  return fetch(u);\n"
        "}\n"
    )
    root = make_site(CONFIG, {**APP, "site/js/b.js": pdf})
    res = run_cli("build", "--strict", cwd=root)
    assert res.code == 0, res.err
    out = root / "dist/public" / Manifest.read(root / "dist/manifest.json")["js/b.js"]["file"]
    text = out.read_text()
    assert 'import("fs")' in text and 'import("node:http")' in text, text
    report = json.loads((root / "dist/report.json").read_text())
    assert [(n["file"], n["line"], n["module"]) for n in report["node_builtins"]] == [
        ("site/js/b.js", 3, "fs"),
        ("site/js/b.js", 4, "node:http"),
    ]

    # from the cache, the same report (the record of the last build gone: the stages run)
    (root / ".assetpipe/last-build.json").unlink()
    assert run_cli("build", cwd=root).code == 0
    again = json.loads((root / "dist/report.json").read_text())
    assert again["node_builtins"] == report["node_builtins"]
    plain = make_site(CONFIG, APP)
    assert run_cli("build", cwd=plain).code == 0
    assert "node_builtins" not in json.loads((plain / "dist/report.json").read_text())

    static = make_site(CONFIG, {**APP, "site/js/b.js": 'import fs from "fs";\nconsole.log(fs);\n'})
    res = run_cli("build", cwd=static)
    assert res.code == 1 and 'site/js/b.js:1:16: Could not resolve "fs"' in res.err, res.err


def test_entry_that_does_not_exist_is_located_at_the_config_key(
    make_site: Callable[..., Path],
) -> None:
    root = make_site(CONFIG.replace("js/b.js", "js/nope.js"), APP)
    res = run_cli("build", cwd=root)
    assert res.code == 1
    assert (
        "error: pipeline.yaml:4:" in res.err and "scripts.entries: no file 'js/nope.js'" in res.err
    )


def test_entry_also_listed_in_static_is_refused(make_site: Callable[..., Path]) -> None:
    root = make_site(CONFIG + 'static:\n  include: ["js/**"]\n', APP)
    res = run_cli("build", cwd=root)
    assert res.code == 1
    assert "also matched by static.include" in res.err


def test_development_profile_is_not_minified(make_site: Callable[..., Path]) -> None:
    root = make_site(CONFIG, APP)
    build(root / "pipeline.yaml", profile="development")
    code = (root / "dist" / "public" / manifest_of(root)["js/a.js"]["file"]).read_text()
    assert "js/a.js" in code  # esbuild's unminified path comments


def test_linked_legal_comments_file_is_listed_with_its_chunk(
    make_site: Callable[..., Path],
) -> None:
    root = make_site(
        'source: site\noutput: dist\nscripts:\n  entries: ["js/app.js"]\n'
        "  legal_comments: linked\n",
        {"site/js/app.js": "/*! Copyright 2026 Example Ltd. */\nwindow.a = 1;\n"},
    )
    build(root / "pipeline.yaml")
    entry = manifest_of(root)["js/app.js"]
    legal = entry["file"] + ".LEGAL.txt"
    assert entry["assets"] == [legal]
    assert "Copyright 2026 Example Ltd." in (root / "dist" / "public" / legal).read_text()

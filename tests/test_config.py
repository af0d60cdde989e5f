"""pipeline.yaml validation: exact error lines, all at once, exit code 2 from the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from assetpipe import ConfigError, load_config
from tests.conftest import run_cli

# (pipeline.yaml text, the exact `error:`/`hint:` lines the CLI prints)
BROKEN = [
    pytest.param(
        "source: site\nimages:\n  widths: [480, 960, large]\n",
        ["error: pipeline.yaml:3:22: images.widths[2]: expected a positive integer, got 'large'"],
        id="wrong-type-in-list",
    ),
    pytest.param(
        "source: site\nimages:\n  widht: [480]\n",
        ["error: pipeline.yaml:3:3: images.widht: unknown key (did you mean 'widths'?)"],
        id="unknown-key-suggestion",
    ),
    pytest.param(
        "source: site\nsource: other\n",
        ["error: pipeline.yaml:2:1: duplicate key 'source' (first at line 1)"],
        id="duplicate-key",
    ),
    pytest.param(
        "source: missing\n",
        ["error: pipeline.yaml:1:9: source: directory 'missing' does not exist"],
        id="missing-source-dir",
    ),
    pytest.param(
        "source: site\nimages: [a\n",
        ["error: pipeline.yaml:3:1: invalid YAML: expected ',' or ']', but got '<stream end>'"],
        id="malformed-yaml",
    ),
    pytest.param(
        "output: dist\n",
        [
            "error: pipeline.yaml:1:1: source: required key missing",
            "hint: source: names the folder that holds your templates and assets",
        ],
        id="missing-source-key",
    ),
    pytest.param(
        "source: site\nretain_builds: -1\ncompress: {brotli: maybe}\nfoo: 1\n",
        [
            "error: pipeline.yaml:2:16: retain_builds: expected an integer from 1 to 100, got -1",
            "error: pipeline.yaml:3:20: compress.brotli: expected true or false, got 'maybe'",
            "error: pipeline.yaml:4:1: foo: unknown key",
            "hint: valid keys here: audit, budget_file, budgets, cache_max_mb, compress, flows, "
            "images, lock_timeout, login, output, pages, public_path, retain_builds, scripts, serve, "
            "source, static, styles, templates, watch",
        ],
        id="all-errors-at-once-in-order",
    ),
    pytest.param(
        "source: site\naudit: {metrics: wall}\n",
        [
            "error: pipeline.yaml:2:18: audit.metrics: expected one of observed, cpu, simulate, got 'wall'"
        ],
        id="audit-metrics",
    ),
    pytest.param(
        "source: site\ntemplates: {srcset_format: avif}\n",
        [
            "error: pipeline.yaml:2:28: templates.srcset_format: 'avif' is not one of "
            "images.formats (webp, original)",
            "hint: add it to images.formats or choose one of those",
        ],
        id="srcset-format-not-in-formats",
    ),
    pytest.param(
        "source: site\npages:\n  - {path: index, template: x.html}\n  - {template: y.html}\n",
        [
            "error: pipeline.yaml:3:12: pages[0].path: expected a URL path starting with '/', "
            "got 'index'",
            "error: pipeline.yaml:4:5: pages[1].path: required key missing",
        ],
        id="pages",
    ),
    pytest.param(
        "- a\n- b\n",
        ["error: pipeline.yaml:1:1: expected a mapping, got a list"],
        id="not-a-mapping",
    ),
    pytest.param(
        "source: site\nscripts: {sourcemap: sometimes}\n",
        [
            "error: pipeline.yaml:2:22: scripts.sourcemap: expected one of linked, hidden, inline, "
            "none, got 'sometimes'"
        ],
        id="enum",
    ),
    pytest.param(
        "source: site\nbudgets:\n  - {timings: {lcp: fast, fcpp: 1}, level: {timings: fatal}}\n",
        [
            "error: pipeline.yaml:3:21: budgets[0].timings.lcp: expected a number >= 0, got 'fast'",
            "error: pipeline.yaml:3:27: budgets[0].timings.fcpp: unknown key (did you mean 'fcp'?)",
            "error: pipeline.yaml:3:54: budgets[0].level.timings: expected one of error, warn, off, "
            "got 'fatal'",
        ],
        id="budgets",
    ),
    pytest.param(
        "source: site\nstatic: {include: ['/etc/passwd']}\n",
        [
            "error: pipeline.yaml:2:20: static.include[0]: globs are relative to source, "
            "got '/etc/passwd'"
        ],
        id="absolute-glob",
    ),
    pytest.param(
        "source: site\noutput: .\n",
        [
            "error: pipeline.yaml:2:9: output: the output folder must not contain the source or "
            "the config file's folder (it is replaced on every build)"
        ],
        id="output-contains-source",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BROKEN)
def test_broken_config_exact_messages_and_exit_2(
    tmp_path: Path, text: str, expected: list[str]
) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "pipeline.yaml").write_text(text)
    result = run_cli("build", cwd=tmp_path)
    assert result.code == 2, result.err
    assert result.err.splitlines() == expected
    assert not (tmp_path / "dist").exists()


def test_missing_config_file(tmp_path: Path) -> None:
    result = run_cli("build", "--config", "nope.yaml", cwd=tmp_path)
    assert result.code == 2
    assert result.err.splitlines()[0] == "error: nope.yaml: config file not found"


def test_json_mode_reports_config_errors_as_one_document(tmp_path: Path) -> None:
    import json

    (tmp_path / "pipeline.yaml").write_text("source: nowhere\n")
    result = run_cli("build", "--json", cwd=tmp_path)
    assert result.code == 2
    doc = json.loads(result.out)
    assert doc["ok"] is False and doc["exit_code"] == 2
    assert doc["errors"][0]["message"].startswith("pipeline.yaml:1:9: source:")


def test_valid_config_is_typed_frozen_and_paths_are_relative_to_it(tmp_path: Path) -> None:
    (tmp_path / "proj" / "site").mkdir(parents=True)
    (tmp_path / "proj" / "ctx.yaml").write_text("a: 1\n")
    (tmp_path / "proj" / "pipeline.yaml").write_text(
        "source: site\noutput: out/dist\npublic_path: /assets\n"
        "images: {widths: [960, 480], formats: [webp, avif], quality: {webp: 70}}\n"
        "templates: {srcset_format: avif}\n"
        "scripts: {entries: js/app.js, target: es2022, define: {DEBUG: false, NAME: 'x'}}\n"
        "pages: [{path: /, template: pages/index.html, context: ctx.yaml}]\n"
    )
    cfg = load_config(tmp_path / "proj" / "pipeline.yaml")
    root = tmp_path / "proj"
    assert cfg.source == root / "site"
    assert cfg.output == root / "out" / "dist"
    assert cfg.state_dir == root / ".assetpipe"
    assert cfg.public_path == "/assets/"
    assert cfg.images.widths == (480, 960)
    assert cfg.images.quality_for("webp") == 70 and cfg.images.quality_for("jpeg") == 80
    assert cfg.scripts.entries == ("js/app.js",) and cfg.scripts.target == ("es2022",)
    assert dict(cfg.scripts.define) == {"DEBUG": "false", "NAME": "x"}
    assert cfg.pages[0].context == root / "ctx.yaml"
    assert cfg.location_of("images.widths").line == 4
    with pytest.raises(AttributeError):
        cfg.source = root  # type: ignore[misc]


def test_config_error_object_lists_every_problem(tmp_path: Path) -> None:
    (tmp_path / "pipeline.yaml").write_text("source: 3\nwatch: {poll: 1, debounce_ms: -5}\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "pipeline.yaml", display_name="pipeline.yaml")
    messages = [str(p) for p in info.value.problems]
    assert len(messages) == 3
    assert messages[1] == "pipeline.yaml:2:15: watch.poll: expected true or false, got 1"


EQUAL_BASE = """\
source: site
images: {widths: [480, 960]}
budgets:
  - {path: /, timings: {lcp: 2500}}
pages:
  - {path: /, template: index.html}
"""


def test_positions_take_no_part_in_equality(tmp_path: Path) -> None:
    """A comment or a blank line moves every key below it; the config stays equal (and hashes
    the same), its positions still point at the new lines; a changed value is unequal."""
    (tmp_path / "site").mkdir()
    cfg_path = tmp_path / "pipeline.yaml"
    cfg_path.write_text(EQUAL_BASE)
    before = load_config(cfg_path)
    cfg_path.write_text("# the widths of the hero\n\n" + EQUAL_BASE.replace("\n", "\n\n", 2))
    after = load_config(cfg_path)
    assert after == before and hash(after) == hash(before)
    assert before.location_of("images.widths").line == 2
    assert after.location_of("images.widths").line == 5
    assert before.budgets[0].location != after.budgets[0].location
    cfg_path.write_text(EQUAL_BASE.replace("960", "1024"))
    assert load_config(cfg_path) != before


# (pipeline.yaml text, every problem load_config reports, in order) — one case per check kind
PROBLEMS = [
    pytest.param(
        "source: site\nretain_builds: 0\ncache_max_mb: -1\nlock_timeout: x\npublic_path: static\n",
        [
            "pipeline.yaml:2:16: retain_builds: expected an integer from 1 to 100, got 0",
            "pipeline.yaml:3:15: cache_max_mb: expected an integer >= 0, got -1",
            "pipeline.yaml:4:15: lock_timeout: expected a number >= 0, got 'x'",
            "pipeline.yaml:5:14: public_path: expected a path starting with '/' or an absolute "
            "URL, got 'static'",
        ],
        id="top-level",
    ),
    pytest.param(
        "source: site\ntemplates:\n  lazy: 3\n  preload: {font: 1}\n  dimensions: sometimes\n"
        "  sizes: [{selector: .a, sizes: 10vw}, {default: 5vw}, {default: 1vw}, {selector: x}]\n",
        [
            "pipeline.yaml:3:9: templates.lazy: expected a mapping, got 3",
            "pipeline.yaml:4:13: templates.preload.font: unknown key (did you mean 'fonts'?)",
            "pipeline.yaml:5:15: templates.dimensions: expected one of always, auto, never, "
            "got 'sometimes'",
            "pipeline.yaml:6:56: templates.sizes[2]: a second default (one is allowed)",
            "pipeline.yaml:6:72: templates.sizes[3]: expected {selector: CSS, sizes: SIZES} or "
            "{default: SIZES}",
        ],
        id="templates",
    ),
    pytest.param(
        "source: site\nimages:\n  widths: []\n  formats: []\n  quality: {png: 3, avif: 101}\n"
        "  avif_speed: 11\n  max_pixels: 0\n",
        [
            "pipeline.yaml:3:11: images.widths: expected at least one width",
            "pipeline.yaml:4:12: images.formats: expected at least one format",
            "pipeline.yaml:5:13: images.quality.png: unknown key",
            "pipeline.yaml:5:27: images.quality.avif: expected an integer from 1 to 100, got 101",
            "pipeline.yaml:6:15: images.avif_speed: expected an integer from 0 to 10, got 11",
            "pipeline.yaml:7:15: images.max_pixels: expected a positive integer, got 0",
        ],
        id="images-no-srcset-noise-when-formats-are-wrong",
    ),
    pytest.param(
        "source: site\nscripts:\n  entries: [js/a.js, '../x.js']\n  define: {A: 1, E: [1]}\n"
        "compress: {min_ratio: 2}\n",
        [
            "pipeline.yaml:3:22: scripts.entries[1]: globs are relative to source, got '../x.js'",
            "pipeline.yaml:4:21: scripts.define.E: expected a string (a JS expression) or a scalar",
            "pipeline.yaml:5:23: compress.min_ratio: expected a number from 0 to 1, got 2",
        ],
        id="scripts-compress",
    ),
    pytest.param(
        "source: site\nbudgets:\n  - {profile: tv, min_score: {seo: 2}, level: {foo: warn}}\n"
        "  - 3\n",
        [
            "pipeline.yaml:3:15: budgets[0].profile: expected one of mobile, desktop, got 'tv'",
            "pipeline.yaml:3:30: budgets[0].min_score.seo: expected a score from 0 to 1, got 2",
            "pipeline.yaml:3:48: budgets[0].level.foo: unknown key",
            "pipeline.yaml:4:5: budgets[1]: expected a mapping, got 3",
        ],
        id="budgets",
    ),
    pytest.param(
        "source: site\naudit: {runs: 0, app: app, headers: {X-A: 1}}\nbudget_file: nope.json\n",
        [
            "pipeline.yaml:2:15: audit.runs: expected an integer from 1 to 100, got 0",
            "pipeline.yaml:2:23: audit.app: expected 'module:attribute', got 'app'",
            "pipeline.yaml:2:43: audit.headers.X-A: expected a non-empty string, got 1",
            "pipeline.yaml:3:14: budget_file: file 'nope.json' does not exist",
        ],
        id="audit",
    ),
]


@pytest.mark.parametrize(("text", "expected"), PROBLEMS)
def test_every_problem_located_in_order(tmp_path: Path, text: str, expected: list[str]) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "pipeline.yaml").write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "pipeline.yaml", display_name="pipeline.yaml")
    assert [str(p) for p in info.value.problems] == expected


def test_a_choice_spelled_like_a_yaml_boolean_is_taken_as_written(tmp_path: Path) -> None:
    """``off`` is a budget level; YAML 1.1 reads it unquoted as false."""
    (tmp_path / "site").mkdir()
    (tmp_path / "pipeline.yaml").write_text(
        "source: site\nbudgets:\n  - {level: {images_grown: off, timings: warn}}\n"
    )
    cfg = load_config(tmp_path / "pipeline.yaml")
    assert cfg.budgets[0].level == (("images_grown", "off"), ("timings", "warn"))


def test_partial_tags_name_each_bad_tag_and_template(tmp_path: Path) -> None:
    """``templates.partial_tags``: a key that is no tag's name and an empty template name are
    each reported at their line and column, with the key's path; the CLI exits 2."""
    (tmp_path / "site").mkdir()
    (tmp_path / "pipeline.yaml").write_text(
        "source: site\ntemplates:\n  partial_tags:\n    render-card: card.html\n    badge: ''\n"
        "    render_product: oscar/catalogue/partials/product.html\n"
    )
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "pipeline.yaml", display_name="pipeline.yaml")
    assert [str(p) for p in info.value.problems] == [
        "pipeline.yaml:4:18: templates.partial_tags.render-card: expected a tag's name",
        "pipeline.yaml:5:12: templates.partial_tags.badge: expected a non-empty string, got ''",
    ]
    assert run_cli("build", cwd=tmp_path).code == 2
    (tmp_path / "pipeline.yaml").write_text(
        "source: site\ntemplates:\n  partial_tags: {render_product: oscar/product.html}\n"
    )
    cfg = load_config(tmp_path / "pipeline.yaml")
    assert cfg.templates.partial_tags == (("render_product", "oscar/product.html"),)

"""The configuration reference (docs/configuration.md) is generated from the key declarations:
the committed page is the rendered one, it lists exactly the declared keys, the reader accepts
every key it lists, and the config examples of the repository use only declared keys."""

from __future__ import annotations

import dataclasses
import functools
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from assetpipe.config import Config, load_config
from assetpipe.config.keys import SPEC, Items, Section, Spec
from assetpipe.config.reference import COMMAND, render
from assetpipe.errors import ConfigError
from tests.conftest import write_tree

REPO = Path(__file__).resolve().parent.parent
PAGE = REPO / "docs" / "configuration.md"


def page_keys() -> list[str]:
    """The keys in the first column of the committed page's tables."""
    return re.findall(r"^\| `([^`]+)` \|", PAGE.read_text(encoding="utf-8"), re.MULTILINE)


def declarations(cls: type = Config, prefix: str = "") -> Iterator[str]:
    """Every declared key, walked from the model's field metadata (not from ``reference``)."""
    for f in dataclasses.fields(cls):
        spec = f.metadata.get(SPEC)
        if not isinstance(spec, Spec):
            continue
        key = prefix + (spec.key or f.name)
        yield key
        if isinstance(spec.check, Section):
            yield from declarations(type(f.default), key + ".")
        elif isinstance(spec.check, Items):
            yield from declarations(spec.check.cls, key + "[].")


def test_committed_page_is_the_rendered_one() -> None:
    assert PAGE.read_text(encoding="utf-8") == render(), (
        f"docs/configuration.md is stale: regenerate it with `{COMMAND}`"
    )


def test_page_lists_exactly_the_declared_keys() -> None:
    listed = page_keys()
    declared = list(declarations())
    assert len(listed) == len(set(listed)), "a key is listed twice"
    assert set(declared) - set(listed) == set(), "declared keys missing from the page"
    assert set(listed) - set(declared) == set(), "keys on the page that are not declared"
    # the well-known ones, so an empty walk cannot pass
    assert {"source", "images.widths", "templates.lazy.images", "budgets[].level"} <= set(listed)


def _yaml_for(key: str, value: str) -> str:
    """A pipeline.yaml that sets ``key`` (``a.b``, ``pages[].path``) to ``value``."""
    parts = key.replace("[]", ".[]").split(".")
    text = value
    for part in reversed(parts):
        text = f"[{text}]" if part == "[]" else f"{{{part}: {text}}}"
    body = text[1:-1]
    return body + "\n" if key == "source" else f"source: site\n{body}\n"


@pytest.mark.parametrize("key", page_keys())
def test_the_reader_takes_every_listed_key(tmp_path: Path, key: str) -> None:
    """Each listed key, set to a value no check accepts (a list of lists), is read by its
    check (an error at that key), never reported as unknown."""
    write_tree(tmp_path, {"site/.keep": ""})
    (tmp_path / "pipeline.yaml").write_text(_yaml_for(key, "[[1]]"))
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "pipeline.yaml", display_name="pipeline.yaml")
    lines = [str(p) for p in info.value.problems]
    assert not [t for t in lines if "unknown key" in t], lines
    where = re.escape(key).replace(r"\[\]", r"\[0\]")
    assert any(re.search(rf": {where}(\[\d+\])?: ", t) for t in lines), lines


def _fences(text: str) -> Iterator[tuple[int, str, str]]:
    """(line, language, dedented body) of every fenced code block in Markdown ``text``."""
    body: list[str] = []
    start, lang = 0, ""  # start == 0: outside a block
    for n, line in enumerate(text.splitlines(), 1):
        fence = line.strip().startswith("```")
        if fence and not start:
            start, lang, body = n, line.strip()[3:].strip(), []
        elif fence:
            yield start, lang, textwrap.dedent("\n".join(body) + "\n")
            start = 0
        elif start:
            body.append(line)


def _config_examples() -> Iterator[tuple[str, str]]:
    """(where, text) of the YAML or untagged blocks in README.md and docs/*.md that are
    pipeline.yaml fragments (a top-level key is a config key), and the bundled pipeline.yaml."""
    top = {k for k in declarations() if "." not in k and "[" not in k}
    for md in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        for line, lang, block in _fences(md.read_text(encoding="utf-8")):
            if lang not in ("", "yaml", "yml"):
                continue
            try:
                doc = yaml.safe_load(block)
            except yaml.YAMLError:  # a CI workflow with ${{ }} expressions, console output
                continue
            if isinstance(doc, dict) and set(doc) & top:
                yield f"{md.relative_to(REPO)}:{line}", block
    yield "pipeline.yaml", (REPO / "pipeline.yaml").read_text(encoding="utf-8")


EXAMPLES = list(_config_examples())


def test_examples_are_found() -> None:
    assert "pipeline.yaml" in dict(EXAMPLES)
    assert any(where.startswith("README.md:") for where, _ in EXAMPLES), EXAMPLES


@pytest.mark.parametrize(("where", "text"), EXAMPLES, ids=[w for w, _ in EXAMPLES])
def test_config_examples_use_declared_keys_and_types(tmp_path: Path, where: str, text: str) -> None:
    """Every key of an example is declared and its value has the declared type; only problems
    of the example's missing files (folders, templates dirs) and unset environment variables
    (a login's password) are left to the project."""
    write_tree(tmp_path, {"site/.keep": ""})
    if not re.search(r"^source:", text, re.MULTILINE):
        text = "source: site\n" + text
    (tmp_path / "pipeline.yaml").write_text(text)
    try:
        load_config(tmp_path / "pipeline.yaml")
    except ConfigError as err:
        left = ("does not exist", "is not set")
        bad = [str(p) for p in err.problems if not any(w in str(p) for w in left)]
        assert bad == [], f"{where}: {bad}"


def test_bundled_pipeline_yaml_loads() -> None:
    cfg = load_config(REPO / "pipeline.yaml")
    assert cfg.source == REPO / "examples" / "dashboard"


def _plain(value: object) -> object:
    """A loaded config value as YAML would write it: tuples as lists, pairs as mappings."""
    if isinstance(value, tuple) and value and all(isinstance(v, tuple) for v in value):
        return {k: _plain(v) for k, v in value}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def test_page_defaults_are_what_a_minimal_config_loads(tmp_path: Path) -> None:
    """Each default the page shows as YAML, read back, is the value ``source: site`` alone
    gives (sections and list items aside: their keys are checked one level down)."""
    write_tree(tmp_path, {"site/.keep": "", "templates/.keep": ""})
    (tmp_path / "pipeline.yaml").write_text("source: site\n")
    cfg = load_config(tmp_path / "pipeline.yaml")
    rows = re.findall(r"^\| `([^`\[]+)` \| [^|]+ \| `([^`]+)` \|", PAGE.read_text(), re.MULTILINE)
    checked = 0
    for key, shown in rows:
        if key in ("output", "templates.dirs", "audit.history"):  # derived from the folders
            continue
        parts = key.split(".")
        if len(parts) == 3:  # templates.lazy.images -> cfg.templates.lazy_images
            value = getattr(getattr(cfg, parts[0]), f"{parts[1]}_{parts[2]}")
        else:
            value = functools.reduce(getattr, parts, cfg)
        expected = _plain(value)
        if isinstance(expected, float) and expected.is_integer():
            expected = int(expected)
        if expected == [] and shown == "{}":  # an empty mapping-valued key
            expected = {}
        assert yaml.safe_load(shown) == expected, key
        checked += 1
    assert checked > 40

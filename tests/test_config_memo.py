"""config.memo: a validated config is reused only while nothing its validation read changed.

Each way the outcome of validation could change gets a test that loads once (recording), changes
that one thing, and loads again: the second load must see the change (a new value, or the
``ConfigError`` a full validation raises). Without the matching fact in the record each of these
tests fails: it gets the recorded config back.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assetpipe import ConfigError, load_config
from assetpipe.config import memo
from assetpipe.config.load import read_config

FULL = """\
source: site
templates:
  dirs: [templates]
images:
  widths: [320, 640]
pages:
  - {path: /, template: index.html, context: ctx.json}
budget_file: budget.json
login:
  - goto: /login
  - fill: {selector: "#pw", value: "${MEMO_TEST_PW}"}
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project whose config reads every kind of outside fact: source, a templates dir, a
    context file, a must-exist file, an environment variable; ``.assetpipe/`` exists (a build
    made it)."""
    (tmp_path / "site").mkdir()
    (tmp_path / "templates").mkdir()
    (tmp_path / "ctx.json").write_text("{}")
    (tmp_path / "budget.json").write_text("[]")
    (tmp_path / ".assetpipe").mkdir()
    (tmp_path / "pipeline.yaml").write_text(FULL)
    monkeypatch.setenv("MEMO_TEST_PW", "secret")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _reused(project: Path) -> bool:
    """Whether the next ``load_config`` would take the record (its key and facts hold)."""
    path = project / "pipeline.yaml"
    record = project / ".assetpipe" / memo.RECORD
    key = memo._key(path, "pipeline.yaml", path.read_bytes())
    return memo._recorded(record, key) is not None


def test_a_recorded_config_is_the_validated_one_and_reads_no_yaml(project: Path) -> None:
    first = load_config("pipeline.yaml")
    assert (project / ".assetpipe" / memo.RECORD).is_file()
    assert _reused(project)
    again = load_config("pipeline.yaml")
    validated, _ = read_config("pipeline.yaml")
    assert again == first == validated
    assert repr(again) == repr(validated)  # locations and display name included
    # a fresh process: the record answers without importing PyYAML
    code = (
        "import sys; from assetpipe import load_config; cfg = load_config('pipeline.yaml'); "
        "print('yaml' in sys.modules, cfg.images.widths)"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=project, env=env, capture_output=True, text=True
    )
    assert out.stdout.split() == ["False", "(320,", "640)"], out.stderr


def test_no_state_folder_no_record(project: Path) -> None:
    (project / ".assetpipe").rmdir()
    load_config("pipeline.yaml")
    assert not (project / ".assetpipe").exists()


def test_changed_bytes_are_validated(project: Path) -> None:
    load_config("pipeline.yaml")
    (project / "pipeline.yaml").write_text(FULL.replace("[320, 640]", "[320, big]"))
    with pytest.raises(ConfigError, match=r"images\.widths"):
        load_config("pipeline.yaml")


def test_an_unset_environment_variable_is_noticed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_config("pipeline.yaml")
    monkeypatch.delenv("MEMO_TEST_PW")
    assert not _reused(project)
    # the build and the app read the config without the audit's secret; the audit refuses it
    cfg = load_config("pipeline.yaml")
    assert [s.unset for s in cfg.login if s.unset] == [("MEMO_TEST_PW",)]
    from assetpipe.audit import AuditOptions, run_audit

    with pytest.raises(ConfigError, match="MEMO_TEST_PW is not set"):
        run_audit(load_config("pipeline.yaml"), AuditOptions())
    monkeypatch.setenv("MEMO_TEST_PW", "back")
    assert not _reused(project)
    assert load_config("pipeline.yaml").login == cfg.login
    assert not any(s.unset for s in load_config("pipeline.yaml").login)


@pytest.mark.parametrize(
    ("gone", "message"),
    [
        ("site", "source: directory 'site' does not exist"),
        ("ctx.json", "pages\\[0\\].context: file .* does not exist"),
        ("budget.json", "budget_file: file 'budget.json' does not exist"),
        ("templates", "templates.dirs\\[0\\]: directory 'templates' does not exist"),
    ],
)
def test_a_removed_path_is_noticed(project: Path, gone: str, message: str) -> None:
    load_config("pipeline.yaml")
    os.rename(project / gone, project / f"{gone}.away")
    assert not _reused(project)
    with pytest.raises(ConfigError, match=message):
        load_config("pipeline.yaml")


def test_a_templates_folder_appearing_under_source_is_noticed(project: Path) -> None:
    """``templates.dirs`` looks beside the config and under ``source``: a second candidate
    appearing makes the value ambiguous, which a full validation reports."""
    load_config("pipeline.yaml")
    (project / "site" / "templates").mkdir()
    with pytest.raises(ConfigError, match="ambiguous"):
        load_config("pipeline.yaml")


def test_the_default_templates_folder_appearing_is_noticed(project: Path) -> None:
    text = FULL.replace("templates:\n  dirs: [templates]\n", "")
    (project / "pipeline.yaml").write_text(text)
    (project / "templates").rmdir()
    assert load_config("pipeline.yaml").templates.dirs == ()
    (project / "templates").mkdir()
    assert load_config("pipeline.yaml").templates.dirs == ("../templates",)


def test_another_name_is_another_record(project: Path) -> None:
    load_config("pipeline.yaml")
    named = load_config("pipeline.yaml", display_name="other.yaml")
    assert named.display_name == "other.yaml"
    assert not _reused(project)  # the record is now the other name's


def test_changed_validating_code_is_validated(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_config("pipeline.yaml")
    monkeypatch.setattr(memo, "FORMAT", memo.FORMAT + 1)
    assert not _reused(project)


def test_a_foreign_or_broken_record_is_ignored(project: Path) -> None:
    first = load_config("pipeline.yaml")
    record = project / ".assetpipe" / memo.RECORD
    doc = json.loads(record.read_text())
    doc["config"]["$"] = ["os", "system"]
    record.write_text(json.dumps(doc))
    assert not _reused(project)
    assert load_config("pipeline.yaml") == first
    record.write_text("{not json")
    assert load_config("pipeline.yaml") == first


def test_the_json_form_round_trips_every_value(project: Path) -> None:
    cfg, _ = read_config("pipeline.yaml")
    back = memo.decode(json.loads(json.dumps(memo.encode(cfg))))
    assert back == cfg and repr(back) == repr(cfg)
    with pytest.raises(TypeError):
        memo.encode({1, 2})

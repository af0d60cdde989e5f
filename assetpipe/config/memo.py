"""``load_config``: the last validated ``Config`` again when nothing validation read has changed.

Validating pipeline.yaml is cheap (about a millisecond) but reading it is not: PyYAML's import
alone is a tenth of a one-template edit build's process. So a validated config is recorded
(``.assetpipe/config.json``, or ``.assetpipe/NAME/config.json`` for a config named ``NAME``;
only when that folder exists: loading a config never creates it) with everything its validation
read besides the file's text, and the next ``load_config`` of the same file returns the recorded
``Config`` without importing PyYAML when all of these are unchanged:

- the record's format, the Python version and the stat stamps (size, mtime) of the code that
  validates (``assetpipe/config/*.py``, ``assetpipe/errors.py``);
- the config file's absolute path, the name messages give it (``display_name``) and its bytes;
- every fact validation looked up outside the file (``Outside``): whether each path it checked
  is a folder, a file or missing (``source``, a ``must exist`` path, each candidate folder of
  ``templates.dirs``), whether two candidate folders are the same folder, whether each
  environment variable a flow step names is set.

The record also keeps wcmatch's translation of each of the config's globs (every value of a key
declared as a list of globs) into regular expressions, with the stamps of wcmatch's and bracex's
files among its facts: a build from a recorded config matches its globs without importing
wcmatch (``pipeline.sources.know_globs``). Anything else is a full validation (which records
again). A config with problems is never
recorded: its ``ConfigError`` is raised by a full validation every time. The record is JSON
(``encode``/``decode``: the config's dataclasses by name, from this package's config modules
only; no pickle, so a state folder restored from a shared CI cache cannot run code).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .outside import Outside
from .outside import still as _still

if TYPE_CHECKING:
    from .model import Config

RECORD = "config.json"
#: the record's format (2: globs translated with NEGATE); another value is a full validation
FORMAT = 2
_CODE = Path(__file__).resolve().parent
#: the modules whose dataclasses a record may name
_MODULES = (
    "assetpipe.config.model",
    "assetpipe.config.staticmodel",
    "assetpipe.config.steps",
    "assetpipe.errors",
)


def _key(config_path: Path, name: str, data: bytes) -> str:
    """The digest of the record's format, the validating code, the file's path, name and bytes."""
    h = hashlib.sha256(f"{FORMAT}\n{sys.version}\n{config_path}\n{name}\n".encode())
    for code in [*sorted(os.listdir(_CODE)), "../errors.py"]:
        if code.endswith(".py"):
            st = os.stat(_CODE / code)
            h.update(f"{code} {st.st_size} {st.st_mtime_ns}\n".encode())
    h.update(data)
    return h.hexdigest()


def load_config(path: str | Path = "pipeline.yaml", *, display_name: str | None = None) -> Config:
    """Read and validate a pipeline.yaml (``load.read_config``), or return the recorded result
    of the last validation of the same file when nothing it read has changed (module docstring).

    Raises ``ConfigError`` (exit 2) listing every problem with ``FILE:LINE:COL: key.path:``.
    ``display_name`` is how messages name the file (default: ``path`` as given).
    """
    from .keys import abs_path
    from .model import state_dir_for

    name = display_name or str(path)
    config_path = abs_path(Path(path))
    record = state_dir_for(config_path) / RECORD
    key = data = None
    try:
        data = config_path.read_bytes()
        key = _key(config_path, name, data)
    except OSError:  # read_config reports it
        pass
    recorded = _recorded(record, key) if key is not None else None
    if recorded is not None:
        return recorded
    from .load import read_config

    cfg, outside = read_config(path, display_name=display_name, data=data)
    if key is not None and record.parent.is_dir():
        globs = _translate(cfg, outside)
        doc = {"key": key, "facts": outside.facts, "config": encode(cfg), "globs": globs}
        _record(record, doc)
    return cfg


def _translate(cfg: Config, outside: Outside) -> dict[str, list[str]]:
    """The translations of the config's globs (``pipeline.sources.translate_globs``), with the
    stamps of the wcmatch and bracex modules that made them as facts of the record."""
    import bracex
    import wcmatch

    from ..pipeline.sources import translate_globs

    globs = translate_globs(_globs(cfg))
    for module in (wcmatch, bracex):
        folder = os.path.dirname(str(module.__file__))
        for name in sorted(os.listdir(folder)):
            if name.endswith(".py"):
                outside.stamp(os.path.join(folder, name))
    return globs


def _globs(obj: Any) -> list[str]:
    """Every value of a key declared as a list of globs (``checks.Globs``) in ``obj``, a config
    dataclass, and in the dataclasses it holds."""
    from .checks import Globs
    from .keys import SPEC

    out: list[str] = []
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        spec = f.metadata.get(SPEC)
        if spec is not None and isinstance(spec.check, Globs):
            out += value
        for v in value if isinstance(value, tuple) else (value,):
            if dataclasses.is_dataclass(v) and not isinstance(v, type):
                out += _globs(v)
    return out


def _recorded(record: Path, key: str) -> Config | None:
    """The config ``record`` holds when its key is ``key`` and its facts still hold."""
    try:
        doc = json.loads(record.read_bytes())
        if doc["key"] != key or not _still(doc["facts"]):
            return None
        cfg: Config = decode(doc["config"])
        globs = {str(p): [str(r) for r in rs] for p, rs in doc["globs"].items()}
    except Exception:  # no record, an unreadable or a foreign one: validate
        return None
    from ..pipeline.sources import know_globs

    know_globs(globs)
    return cfg


def _record(record: Path, doc: dict[str, Any]) -> None:
    """Write the record (through a temp file and a rename); a folder that cannot be written to
    only means the next load validates again."""
    from ..fsutil import atomic_write

    with contextlib.suppress(OSError):
        atomic_write(record, json.dumps(doc).encode())


def encode(value: Any) -> Any:
    """``value`` (a ``Config`` and what it holds) as JSON: a dataclass as ``{"$": [module,
    class], "f": {field: value}}``, a path ``{"$p": str}``, a tuple ``{"$t": [...]}``;
    ``TypeError`` for anything else JSON cannot say the same way."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"$": [cls.__module__, cls.__qualname__], "f": fields}
    if isinstance(value, Path):
        return {"$p": str(value)}
    if isinstance(value, tuple):
        return {"$t": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {"$d": {k: encode(v) for k, v in value.items()}}
    if value is None or type(value) in (str, int, float, bool):
        return value
    raise TypeError(f"a config value of type {type(value).__name__} has no JSON form")


def decode(doc: Any) -> Any:
    """The value ``encode`` wrote (a dataclass is made as unpickling makes it: its fields set,
    no ``__init__``); ``ValueError`` for a class outside the config's modules."""
    if isinstance(doc, list):
        return [decode(v) for v in doc]
    if not isinstance(doc, dict):
        return doc
    if "$p" in doc:
        return Path(doc["$p"])
    if "$t" in doc:
        return tuple(decode(v) for v in doc["$t"])
    if "$d" in doc:
        return {k: decode(v) for k, v in doc["$d"].items()}
    module, name = doc["$"]
    cls = getattr(sys.modules.get(module) if module in _MODULES else None, name, None)
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise ValueError(f"not a config class: {module}.{name}")
    if set(doc["f"]) != {f.name for f in dataclasses.fields(cls)}:
        raise ValueError(f"not the fields of {module}.{name}")
    obj = object.__new__(cls)
    for field, value in doc["f"].items():
        object.__setattr__(obj, field, decode(value))
    return obj

"""The configuration reference page, rendered from the key declarations in ``model``.

``python -m assetpipe.config.reference > docs/configuration.md`` writes it: one section per config
section, each a table key | type | default | description. A test keeps the committed page equal
to ``render()``.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
import textwrap
from collections.abc import Iterator
from typing import Any

import yaml

from .checks import (
    ChoiceMap,
    ContextFile,
    Defines,
    Folders,
    NumberMap,
    PathTo,
    Quality,
    StrMap,
    TemplateDirs,
)
from .keys import SPEC, Items, Section, Spec, specs
from .model import Config

COMMAND = "python -m assetpipe.config.reference > docs/configuration.md"
PATH_CHECKS = (
    PathTo,
    ContextFile,
    TemplateDirs,
    Folders,
)  #: keys holding paths relative to the config


def intro() -> str:
    """The rules every key follows; the path and required keys come from the declarations."""
    keys = [(key, spec) for path, cls in sections() for key, spec, _ in rows(path, cls)]
    paths = ", ".join(f"`{k}`" for k, s in keys if isinstance(s.check, PATH_CHECKS))
    needed = ", ".join(f"`{k}`" for k, s in keys if s.required and "." not in k)
    text = (
        f"Every top-level key but {needed} is optional. Unknown keys are errors (with a "
        "did-you-mean), so are duplicate keys; every problem is reported at once as "
        "`pipeline.yaml:LINE:COL: key.path: message` and the command exits 2. "
        f"Paths ({paths}) are relative to the config file's folder, as is `.assetpipe/`; globs "
        "and `entries` are relative to `source` (wcmatch syntax: `**` for any depth, braces "
        "such as `{jpg,png}`, a leading `!` to leave out what the list's other globs match: "
        '`["**", "!js/config.js"]`). A list of globs, strings or folders may be written as its one '
        "item alone. Where the templates and the assets usually are: "
        "[Getting started](getting-started.md#pipelineyaml-paths-and-layout)."
    )
    return textwrap.fill(text, 100, break_on_hyphens=False, break_long_words=False) + "\n"


def sections() -> Iterator[tuple[str, type]]:
    """(YAML path, dataclass) of the top level and of every section and list item."""
    yield "", Config
    for f in dataclasses.fields(Config):
        spec = f.metadata.get(SPEC)
        if isinstance(spec, Spec) and isinstance(spec.check, Section):
            yield f.name, type(f.default)
        elif isinstance(spec, Spec) and isinstance(spec.check, Items):
            yield f"{f.name}[]", spec.check.cls


def rows(path: str, cls: type) -> Iterator[tuple[str, Spec, Any]]:
    """(dotted key, spec, dataclass default) of every key declared in ``cls``."""
    defaults = {f.name: f.default for f in dataclasses.fields(cls)}
    for name, key, spec in specs(cls):
        yield (f"{path}.{key}" if path else key), spec, defaults[name]


def declared_keys() -> list[str]:
    """Every key the reference lists (``pages[].path``, ``templates.lazy.images``, ...)."""
    return [key for path, cls in sections() for key, _, _ in rows(path, cls)]


def render() -> str:
    """The Markdown page."""
    out = [
        "# Configuration reference (`pipeline.yaml`)",
        "",
        f"<!-- generated from assetpipe/config/model.py by `{COMMAND}`: edit the declarations -->",
        "",
        intro(),
    ]
    for path, cls in sections():
        title = f"`{path}`" if path else "Top level"
        doc = (cls.__doc__ or "").split(":", 1)[1].strip() if path else "The file's own keys."
        doc = re.sub(r"\(docs/(\w[\w-]*)\.md\)", r"(see [\1](\1.md))", doc.replace("``", "`"))
        out += [f"## {title}", "", _cell(doc[:1].upper() + doc[1:]), ""]
        out += ["| key | type | default | description |", "|---|---|---|---|"]
        for key, spec, default in rows(path, cls):
            text = spec.doc
            if isinstance(spec.check, Items):
                text += f" (keys: [`{key}[]`](#{key}))"
            cells = (f"`{key}`", spec.check.type_doc(), _default(key, spec, default), text)
            out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        out.append("")
    return "\n".join(out)


def _default(key: str, spec: Spec, default: Any) -> str:
    if spec.default_doc is not None:
        return spec.default_doc
    if isinstance(spec.check, Section):
        return f"see [`{key}`](#{key})"
    if isinstance(spec.check, NumberMap | ChoiceMap | StrMap | Defines | Quality):
        items = ", ".join(f"{k}: {_yaml(v)}" for k, v in default)
        return f"`{{{items}}}`"
    if isinstance(default, tuple):
        return f"`[{', '.join(_yaml(v) for v in default)}]`"
    return f"`{_yaml(default)}`"


def _yaml(value: Any) -> str:
    """``value`` as YAML reads it back: plain where that is safe, else double-quoted."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, str):
        return str(yaml.safe_dump(value)).removesuffix("\n...\n").strip()
    plain = value and not set(value) & set("[]{},:#*&!|>'\" %@`?")
    if plain and yaml.safe_load(value) == value:
        return value
    return json.dumps(value)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


if __name__ == "__main__":
    sys.stdout.write(render())

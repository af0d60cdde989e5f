"""``assetpipe audit merge DIR...``: one result from the report folders of ``--shard`` runs.

Each shard's ``audit.json`` (document + details) and pictures are read; pages are concatenated in
shard order (a page audited by two shards is an error), so are the flows (each shard's login, the
user flows of the first); the merged document passes when every page and flow does. All shards
must have used the same profile and run count.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import UsageError
from . import report
from .options import AuditResult


def merge(folders: list[Path]) -> AuditResult:
    """Merge shard report folders; ``UsageError`` (exit 2) for a missing or foreign folder."""
    if not folders:
        raise UsageError("audit merge: name at least one report folder")
    docs = []
    for folder in folders:
        try:
            docs.append((folder, *report.load(folder)))
        except FileNotFoundError:
            raise UsageError(f"{folder}: no audit.json (not a --report folder)") from None
        except (OSError, ValueError) as exc:
            raise UsageError(f"{folder}: cannot read the audit: {exc}") from None
    first = docs[0][1]
    pages: list[dict[str, Any]] = []
    details: dict[str, dict[str, Any]] = {}
    pictures: dict[str, bytes] = {}
    seen: dict[str, Path] = {}
    for folder, doc, det, pics in sorted(docs, key=lambda d: _shard_index(d[1])):
        for key in ("profile", "runs", "mode", "aggregate"):
            if doc.get(key) != first.get(key):
                raise UsageError(
                    f"{folder}: {key} {doc.get(key)!r} differs from the first "
                    f"folder's {first.get(key)!r}; merge audits of one kind"
                )
        for page in doc["pages"]:
            if page["path"] in seen:
                raise UsageError(f"{folder}: page {page['path']} is also in {seen[page['path']]}")
            seen[page["path"]] = folder
            pages.append(page)
        details.update(det)
        pictures.update(pics)
    # each shard's login (its pages needed it), the flows from the first shard
    flows = [
        f for d in sorted(docs, key=lambda d: _shard_index(d[1])) for f in d[1].get("flows") or []
    ]
    shards = sorted({d[1].get("shard", "1/1") for d in docs})
    merged: dict[str, Any] = {
        "profile": first["profile"],
        "runs": first["runs"],
        **{k: first[k] for k in ("mode", "aggregate") if k in first},
        # each shard ran on its own runner: their hosts, in shard order
        "hosts": [d[1]["host"] for d in docs if d[1].get("host")],
        "shard": f"merged {len(docs)} ({', '.join(shards)})",
        "passed": all(p["passed"] for p in [*pages, *flows]),
        "pages": pages,
        "flows": flows,
    }
    return AuditResult(merged, details, pictures)


def _shard_index(doc: dict[str, Any]) -> int:
    try:
        return int(str(doc.get("shard", "1/1")).split("/")[0])
    except ValueError:
        return 0

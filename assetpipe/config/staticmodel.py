"""``static``: the static stage's section of ``pipeline.yaml`` (``model`` re-exports it)."""

from __future__ import annotations

from pathlib import Path

from ..records import dataclass
from .checks import Folders, Globs, Strs
from .keys import opt


@dataclass(frozen=True)
class StaticConfig:
    """``static``: exactly the files listed, hashed unless in ``keep_names``."""

    include: tuple[str, ...] = opt(
        (),
        Globs(),
        "exactly the files copied (hashed; in a production build, a stylesheet's `url()`s to the"
        " others name their hashed files, and those to an image of `images.include` its hashed"
        " original-format output, never WebP); such a file belongs to no other stage; a"
        " `node_modules` folder, which the scan skips, is entered only by a glob whose literal"
        " folders name it (`node_modules/pkg/webfonts/*`, not `**/*.woff2`); TypeScript and JSX"
        " sources (`.ts`, `.tsx`, `.mts`, `.cts`, `.jsx`), which no browser runs, are not copied"
        " (`scripts.entries` compiles them; a `.ts` video segment is copied); a file named like a"
        " secret (`.env`, `.env.*`, `*.crt`, `*.pem`, `*.key`, `*.p12`, `*.pfx`, `*.jks`,"
        " `.htpasswd`, a file in a `.git` folder) is copied with a warning naming its public URL"
        " (`--strict` fails on it)",
    )
    keep_names: tuple[str, ...] = opt(
        (),
        Globs(),
        "of those, the ones that keep their name (linked from outside); a script on an import"
        ' cycle of them (`import("./chunk/x.js")` and `from"../core.js"` back: a prebuilt Vite'
        " or Rollup module graph), or named by another outside an import (a preload list), keeps"
        " its name without being listed: hashed, it ran twice, once under each name; the others"
        " are hashed with their importers' specifiers rewritten to match (a development build:"
        " every imported script keeps its name)",
    )
    bundler_manifests: tuple[str, ...] = opt(
        (),
        Strs(),
        "bundler manifests in `source` (`asset-manifest.json`, `.vite/manifest.json`, or in a"
        " folder of it: `dist/manifest.json`, its paths relative to that folder): a file one"
        " lists whose name carries the bundler's hash (`main.3f2a9b1c.js`, `index-BXe3kR2a.js`)"
        " keeps its name, which the bundle's runtime loads, and is served `immutable`; a hash-like"
        " name no manifest lists is hashed as any file (`init` writes the manifests it finds)",
    )
    folders: tuple[Path, ...] = opt(
        (),
        Folders(),
        "more folders whose every file is copied as this stage copies those of `static.include`,"
        " keyed by its path in its folder as a file of `source` is (a Django project's later"
        " `STATICFILES_DIRS` and its apps' `static/`, which Django's finders serve under the same"
        " `STATIC_URL`); a key `source` or an earlier folder has is theirs (Django's first match"
        " wins), with a warning",
    )

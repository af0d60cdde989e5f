"""``dev.cssswap.names_in``: what a static stylesheet names is read once per stat stamp, so a
CSS save under ``assetpipe watch`` does not scan the whole static folder again; an edit to that
stylesheet (a new size or mtime) is read again."""

from __future__ import annotations

import os
from pathlib import Path

from assetpipe.dev.cssswap import names_in


def test_names_follow_the_file_and_are_kept_while_it_is_unchanged(tmp_path: Path) -> None:
    css = tmp_path / "vendor" / "theme.css"
    css.parent.mkdir()
    css.write_text('@import "base.css";\n')
    assert names_in(css, "vendor/theme.css", "/static/") == {"vendor/base.css"}

    # another import, same size and mtime: the stamp says unchanged, the names kept are used
    st = css.stat()
    css.write_text('@import "skin.css";\n')
    os.utime(css, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert names_in(css, "vendor/theme.css", "/static/") == {"vendor/base.css"}

    # an edit (new size): read again, url() and a bare @import alike
    css.write_text('@import "skin.css";\nbody { background: url(../img/bg.png); }\n')
    assert names_in(css, "vendor/theme.css", "/static/") == {"vendor/skin.css", "img/bg.png"}


def test_an_unreadable_stylesheet_names_nothing(tmp_path: Path) -> None:
    css = tmp_path / "latin1.css"
    css.write_bytes(b'@import "a.css"; /* \xe9 */\n')
    assert names_in(css, "latin1.css", "/static/") == frozenset()
    assert names_in(tmp_path / "gone.css", "gone.css", "/static/") == frozenset()

"""What a build's process imports before it does any work: BeautifulSoup and soupsieve
(~0.1 s of regex compilation) only when ``templates.eager`` selectors are matched."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_a_build_does_not_import_beautifulsoup_until_a_selector_is_matched() -> None:
    code = (
        "import sys, assetpipe.cli, assetpipe.builder\n"
        "from assetpipe.stages import templates, scripts, compress\n"
        "print(sorted(m for m in ('bs4', 'soupsieve') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"

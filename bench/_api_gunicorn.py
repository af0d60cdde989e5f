"""gunicorn config for ``bench/api_load.py``: each worker says when it has loaded the app
(``ASSETPIPE_BENCH_READY``/<pid>, so the bench starts its CPU window after the imports), and
writes how many simulated queries it ran when it exits (``ASSETPIPE_BENCH_COUNTS``/<pid>)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any


def worker_exit(server: Any, worker: Any) -> None:
    app_module = sys.modules.get("bench._api_app")
    folder = os.environ.get("ASSETPIPE_BENCH_COUNTS")
    if folder and app_module is not None:
        Path(folder, str(os.getpid())).write_text(str(app_module.queries()))


def post_worker_init(worker: Any) -> None:
    folder = os.environ.get("ASSETPIPE_BENCH_READY")
    if folder:
        Path(folder, str(os.getpid())).write_text("ready")

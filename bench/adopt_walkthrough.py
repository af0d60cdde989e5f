"""Run the docs' "Adopting an existing Flask app" walkthrough literally, in a temporary folder.

    python bench/adopt_walkthrough.py [--keep]

The commands are read from docs/adopting.md (the ``sh`` and ``python`` blocks of that page, in
order) and run in one bash session (``set -euo pipefail``) with a clean environment: a fresh
virtualenv, the app from PyPI, its source unpacked as "your project". Two things differ from a
user's terminal, and only these: ``pip install 'assetpipe[flask]'`` installs this checkout
(``'<checkout>[flask]'``: assetpipe is not fetched from an index), and the server line
(``gunicorn ...``) runs in the background until the next block's checks are done (a user runs
those in another terminal). The ``python`` block (the two lines for the app) is inserted where
the page says: before ``return app`` at the end of ``create_app()`` in the file ``assetpipe init``
named. esbuild is installed by npm on first use into a fresh cache folder, as for a new user.

Exit 0 when every command succeeds (the checks are ``grep``s that fail otherwise); prints each
step's seconds and the load average.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PAGE = "docs/adopting.md"
SECTION = "# Adopting an existing Flask app"
SERVER = re.compile(r"^(gunicorn|flask) .*")
PORT = re.compile(r"127\.0\.0\.1:(\d+)")
INSERT = """\
import pathlib, re, sys
path = pathlib.Path(sys.argv[1])
lines = sys.argv[2]
text = path.read_text()
start = text.index("def create_app(")
end = text.index("\\n    return app\\n", start)
path.write_text(text[:end] + "\\n" + lines.rstrip("\\n") + text[end:])
"""


def blocks(readme: str) -> list[tuple[str, str]]:
    """The (language, code) fenced blocks of the walkthrough, in order (up to a ``##`` heading)."""
    start = readme.index(SECTION)
    end = readme.find("\n## ", start + len(SECTION))
    section = readme[start : end if end != -1 else None]
    return [
        (m.group(1), m.group(2)) for m in re.finditer(r"^```(\w*)\n(.*?)^```", section, re.M | re.S)
    ]


def script(readme: str, checkout: Path) -> str:
    """The bash session: every ``sh`` block, the ``python`` block applied as the page says."""
    out = ["set -euo pipefail", 'step() { echo "@@ $(date +%s.%N) $*" >&2; }']
    server_port = None
    for lang, code in blocks(readme):
        if lang == "python":
            out.append("step 'add the two lines'")
            app_file = "ihatemoney/run.py"  # where `assetpipe init` said (checked below)
            out.append(f"grep -q 'lines in {app_file}, inside create_app()' ../init.out")
            out.append(f"python -c {shlex.quote(INSERT)} {app_file} {shlex.quote(code)}")
            continue
        if lang != "sh":
            continue
        for line in code.splitlines():
            cmd = line.split("  #")[0].strip()
            if not cmd:
                continue
            if cmd == "pip install 'assetpipe[flask]'":
                cmd = f"pip install {shlex.quote(str(checkout) + '[flask]')}"
            out.append(f"step {shlex.quote(cmd)}")
            if cmd == "assetpipe init":
                out.append("assetpipe init | tee ../init.out")
            elif SERVER.match(cmd):
                m = PORT.search(cmd)
                server_port = m.group(1) if m else "5000"
                out.append(f"{cmd} > ../server.log 2>&1 &")
                out.append("SERVER=$!; trap 'kill $SERVER 2>/dev/null || true' EXIT")
                out.append(
                    f"for i in $(seq 300); do curl -s -o /dev/null "
                    f"http://127.0.0.1:{server_port}/ && break; sleep 0.2; done"
                )
            else:
                out.append(cmd)
    out.append("step done")
    return "\n".join(out) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args()
    readme = (REPO / PAGE).read_text(encoding="utf-8")
    work = Path(tempfile.mkdtemp(prefix="assetpipe-adopt-"))
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME") and not k.startswith("PIP_")
    }
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p
    )
    env["ASSETPIPE_NODE_CACHE"] = str(work / "node-cache")  # esbuild as on a new machine
    (work / "walkthrough.sh").write_text(script(readme, REPO))
    print(
        f"running the docs' walkthrough in {work} (load average "
        f"{', '.join(f'{x:.2f}' for x in os.getloadavg())})",
        flush=True,
    )
    started = time.time()
    proc = subprocess.run(
        ["bash", str(work / "walkthrough.sh")], cwd=work, env=env, capture_output=True, text=True
    )
    steps = [(float(t), name) for t, name in re.findall(r"^@@ ([\d.]+) (.*)$", proc.stderr, re.M)]
    for (t, name), (t2, _) in zip(steps, [*steps[1:], (time.time(), "")], strict=True):
        print(f"{t2 - t:8.1f} s  {name}")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"total {time.time() - started:.1f} s; load average now {load}")
    if proc.returncode != 0:
        tail = "\n".join(
            line for line in proc.stderr.splitlines()[-40:] if not line.startswith("@@ ")
        )
        print(f"FAILED (exit {proc.returncode}):\n{tail}\n{proc.stdout[-2000:]}", file=sys.stderr)
        server = work / "server.log"
        if server.exists():
            print(f"server log:\n{server.read_text()[-3000:]}", file=sys.stderr)
    if not args.keep and proc.returncode == 0:
        shutil.rmtree(work, ignore_errors=True)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())

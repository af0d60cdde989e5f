"""A photo-heavy Flask app, built for real: cold build vs sharp, no-op rebuild, one-template
edit and ``assetpipe watch`` latency.

    /work/main/.venv/bin/python bench/real_flask_app.py [--rounds 3] [--edits 20] [--no-sharp]
                                                        [--keep DIR] [--json FILE]
                                                        [--edit-baseline REV [--edit-ab N]]

The app is assembled in a temp folder at bench time, in the standard Flask layout
(``app/static/`` beside ``app/templates/``, an app factory in ``app/__init__.py``):

- photos: every image of ``../shared/corpus/images``, the photos Nikola's and Kivy's packages
  carry (bench/images.py's set c, pip-installed into the temp folder) and the images that
  pip-installed packages ship (Flask-Admin's and Sphinx's themes, installed by the ``test``
  extra), copied into ``app/static/img/`` at bench time (nothing third-party is in the
  repository); ≥ 60 in all;
- templates written here (a layout, partials, ≥ 20 pages) that show the photos with
  ``url_for('static', filename=...)``, as Flask apps do;
- a stylesheet of partials and a script with modules, written here.

Measured, rounds interleaved (cold assetpipe, cold sharp, no-op, one-template edit per round):

- cold build: ``assetpipe build`` with the cache emptied, against sharp (bench/images.py's
  runner, same widths, formats, quality, concurrency = cores) making the same image variants;
- no-op rebuild: ``assetpipe build`` again with nothing changed (target < 0.3 s): the process's
  wall time (interpreter start and imports included), the build's own seconds (``--json``) and
  the process's CPU seconds (what other load on the machine skews least);
- one-template edit: one page template changed, then ``assetpipe build`` (target < 0.15 s): an
  edit build (``assetpipe.pipeline.edit``: the templates stage runs, the others are taken over
  from the last build), counted as such from ``--json``'s ``replayed``;
- with ``--edit-baseline REV``: the one-template edit with git revision REV's code and with the
  checkout's, interleaved ``--edit-ab`` times, each in its own copy of the built app (a code change
  is measured against the code before it in one run, on the same machine state);
- interpreter start: ``python -c pass`` in the same rounds, the part of both no build can cut;
- in-process: ``assetpipe.build()`` called again in one process, no-op and one-template edit,
  wall and CPU seconds (the first call not counted);
- watch: save → output on disk over ``--edits`` edits each of a template, a stylesheet and a
  script (bench/watch.py's measurement; target ≤ 150 ms median).

Medians, min-max spread and the load average (1 min) at each measurement are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from assetpipe import build  # noqa: E402
from assetpipe.config import load_config  # noqa: E402
from assetpipe.errors import ConfigError  # noqa: E402

#: the shared photo corpus, beside the checkout (a worktree sits one level deeper)
CORPUS = next(
    (p / "shared/corpus/images" for p in REPO.parents if (p / "shared/corpus/images").is_dir()),
    REPO.parent / "shared/corpus/images",
)
#: pip-installed packages whose own images join the corpus photos (test extras)
PACKAGE_IMAGES = {"flask_admin": "img/admin", "sphinx": "img/theme"}
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp")
N_PAGES = 24
N_CSS = 12
N_JS = 16
WIDTHS = [480, 960, 1600]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --- the app -------------------------------------------------------------------------------


def _package_images(package: str) -> list[Path]:
    root = Path(sysconfig.get_paths()["purelib"]) / package
    if not root.is_dir():
        raise SystemExit(f"{package} is not installed: pip install -e '.[test]'")
    return sorted(p for p in root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())


def _flat(rel: Path, taken: set[str]) -> str:
    """A flat, unique-stemmed file name for a package image (``copyleft.jpg`` and
    ``copyleft.png`` would share output names in the sharp runner)."""
    name = "-".join(rel.parts).replace(" ", "_")
    stem, dot, ext = name.rpartition(".")
    if stem in taken:
        stem = f"{stem}_{ext}"
    taken.add(stem)
    return f"{stem}{dot}{ext}"


def make_app(root: Path) -> dict[str, Any]:
    """Write the app under ``root/app`` and its pipeline.yaml; returns the facts the
    measurements need (files to edit, the photo list, the layout used)."""
    app = root / "app"
    static, templates = app / "static", app / "templates"
    photos: list[str] = []  # url_for filenames (relative to app/static)
    taken: set[str] = set()
    for src in sorted(p for p in CORPUS.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES):
        rel = f"img/photos/{_flat(src.relative_to(CORPUS), taken)}"
        (static / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, static / rel)
        photos.append(rel)
    # the photos two PyPI packages carry as their own data (bench/images.py's set c)
    from bench.images import package_photos

    for src in package_photos(root.parent / "photo-packages"):
        rel = f"img/gallery/{_flat(Path(src.name), taken)}"
        (static / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, static / rel)
        photos.append(rel)
    for package, folder in PACKAGE_IMAGES.items():
        base = Path(sysconfig.get_paths()["purelib"]) / package
        for src in _package_images(package):
            rel = f"{folder}/{_flat(src.relative_to(base), taken)}"
            (static / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, static / rel)
            photos.append(rel)
    if len(photos) < 60:
        raise SystemExit(f"only {len(photos)} photos found (need >= 60)")
    _write_styles(static)
    _write_scripts(static)
    (static / "favicon.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><circle cx="8" cy="8" '
        'r="7" fill="#3a7"/></svg>\n'
    )
    _write_templates(templates, photos)
    (app / "__init__.py").write_text(
        "from flask import Flask, render_template\n\n\n"
        "def create_app():\n    app = Flask(__name__)\n\n"
        "    @app.route('/')\n    def index():\n        return render_template('index.html')\n\n"
        "    @app.route('/p/<int:n>')\n    def page(n):\n"
        "        return render_template(f'pages/page{n}.html')\n\n    return app\n"
    )
    layout = _write_config(root)
    key = "" if layout == "standard" else "static/"
    return {
        "photos": photos,
        "layout": layout,
        "template": f"app/templates/pages/page{N_PAGES // 2}.html",
        "template_out": f"pages/page{N_PAGES // 2}.html",
        "css": "app/static/css/partials/p5.css",
        "css_key": f"{key}css/app.css",
        "js": "app/static/js/lib/m7.js",
        "js_key": f"{key}js/main.js",
    }


def _write_styles(static: Path) -> None:
    (static / "css/partials").mkdir(parents=True)
    for i in range(N_CSS):
        rules = "".join(
            f".c{i}-{j} {{ margin: {j}px {i}px; color: #{(i * 37 + j) % 999:03d}; }}\n"
            for j in range(40)
        )
        (static / f"css/partials/p{i}.css").write_text(rules)
    (static / "css/app.css").write_text(
        "".join(f'@import "./partials/p{i}.css";\n' for i in range(N_CSS))
        + "body { font-family: system-ui, sans-serif; }\n"
    )


def _write_scripts(static: Path) -> None:
    (static / "js/lib").mkdir(parents=True)
    for i in range(N_JS):
        dep = f'import {{ f{i + 1} }} from "./m{i + 1}.js";\n' if i + 1 < N_JS else ""
        call = f" + f{i + 1}(x)" if i + 1 < N_JS else ""
        (static / f"js/lib/m{i}.js").write_text(
            dep
            + f"export function f{i}(x) {{ return x * {i + 1}{call}; }}\n"
            + "".join(
                f"export const k{i}_{j} = () => document.title.length + {j};\n" for j in range(20)
            )
        )
    (static / "js/main.js").write_text(
        'import { f0 } from "./lib/m0.js";\n'
        "document.addEventListener('DOMContentLoaded', () => {\n"
        "  document.body.dataset.score = String(f0(2));\n});\n"
    )
    (static / "js/gallery.js").write_text(
        "document.querySelectorAll('.gallery img').forEach((img) => {\n"
        "  img.addEventListener('click', () => img.classList.toggle('big'));\n});\n"
    )


def _url(filename: str) -> str:
    return f"{{{{ url_for('static', filename='{filename}') }}}}"


def _write_templates(templates: Path, photos: list[str]) -> None:
    (templates / "pages").mkdir(parents=True)
    (templates / "partials").mkdir()
    (templates / "base.html").write_text(
        '<!doctype html>\n<html lang="en">\n<head>\n  <meta charset="utf-8">\n'
        "  <title>{% block title %}Photos{% endblock %}</title>\n"
        f'  <link rel="icon" href="{_url("favicon.svg")}">\n'
        f'  <link rel="stylesheet" href="{_url("css/app.css")}">\n'
        "</head>\n<body>\n  {% include 'partials/nav.html' %}\n"
        "  <main>{% block content %}{% endblock %}</main>\n"
        "  {% include 'partials/footer.html' %}\n"
        f'  <script type="module" src="{_url("js/main.js")}"></script>\n'
        "</body>\n</html>\n"
    )
    (templates / "partials/nav.html").write_text(
        f'<nav><img src="{_url(photos[-1])}" alt="logo" width="32" height="32">\n'
        + "".join(f'  <a href="/p/{i}">Page {i}</a>\n' for i in range(N_PAGES))
        + "</nav>\n"
    )
    (templates / "partials/footer.html").write_text(
        f'<footer><p>&copy; Photo Ops</p><img src="{_url(photos[-2])}" alt=""></footer>\n'
    )
    (templates / "index.html").write_text(
        "{% extends 'base.html' %}\n{% block content %}\n<section class=\"hero\">\n"
        f'  <img src="{_url(photos[0])}" alt="hero">\n</section>\n'
        '<div class="gallery">\n'
        + "".join(f'  <img src="{_url(p)}" alt="photo {i}">\n' for i, p in enumerate(photos[:12]))
        + "</div>\n{% endblock %}\n"
    )
    per_page = max(4, len(photos) // N_PAGES + 2)
    for n in range(N_PAGES):
        shown = [photos[(n * (per_page - 1) + j) % len(photos)] for j in range(per_page)]
        body = "".join(
            f'  <figure><img src="{_url(p)}" alt="photo {j}">'
            f"<figcaption>Photo {j} of page {n}</figcaption></figure>\n"
            for j, p in enumerate(shown)
        )
        bg = shown[0]
        script = (
            f'<script type="module" src="{_url("js/gallery.js")}"></script>\n' if n % 4 == 0 else ""
        )
        (templates / f"pages/page{n}.html").write_text(
            "{% extends 'base.html' %}\n"
            f"{{% block title %}}Page {n}{{% endblock %}}\n{{% block content %}}\n"
            f"<h1>Page {n}</h1>\n<p>{'Lorem ipsum dolor sit amet. ' * 20}</p>\n"
            f'<div class="banner" data-bg="{bg}"></div>\n'
            f'<div class="gallery">\n{body}</div>\n{script}{{% endblock %}}\n'
        )


CONFIG_TAIL = """\
public_path: /static/
images:
  include: ["{prefix}img/**/*.{{jpg,jpeg,png,gif,webp}}"]
  widths: {widths}
  formats: [original, webp]
scripts:
  entries: ["{prefix}js/main.js", "{prefix}js/gallery.js"]
styles:
  entries: ["{prefix}css/app.css"]
static:
  include: ["{prefix}favicon.svg"]
"""


def _standard_layout_supported() -> bool:
    """Whether this assetpipe takes ``templates.dirs`` outside ``source`` (relative to the
    config's folder): a two-file probe project, built."""
    with tempfile.TemporaryDirectory(prefix="assetpipe-probe-") as tmp:
        root = Path(tmp)
        (root / "s").mkdir()
        (root / "s/x.txt").write_text("x")
        (root / "t").mkdir()
        (root / "t/x.html").write_text("<p>x</p>")
        (root / "pipeline.yaml").write_text(
            "source: s\noutput: dist\ntemplates:\n  dirs: [t]\nstatic:\n  include: ['x.txt']\n"
        )
        try:
            build(root / "pipeline.yaml", profile="development")
        except ConfigError:
            return False
        return (root / "dist/templates/x.html").is_file()


def _write_config(root: Path) -> str:
    """The standard layout (``source: app/static``, templates beside it) when this assetpipe
    supports template dirs outside ``source``; else ``source: app`` (then the templates' url_for
    filenames are prefixed ``static/``). Returns which layout was written."""
    cfg = root / "pipeline.yaml"
    if _standard_layout_supported():
        cfg.write_text(
            "source: app/static\noutput: dist\ntemplates:\n  dirs: [app/templates]\n"
            + CONFIG_TAIL.format(prefix="", widths=WIDTHS)
        )
        return "standard"
    cfg.write_text(
        "source: app\noutput: dist\ntemplates:\n  dirs: [templates]\n"
        + CONFIG_TAIL.format(prefix="static/", widths=WIDTHS)
    )
    for tpl in (root / "app/templates").rglob("*.html"):
        tpl.write_text(tpl.read_text().replace("filename='", "filename='static/"))
    return "source-contains-templates"


# --- measurements ---------------------------------------------------------------------------


def _env(code: Path = REPO) -> dict[str, str]:
    """The CLI's environment: bytecode cached (as in any installed package) outside the repo;
    assetpipe imported from ``code`` (the checkout, or a baseline revision's tree)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "assetpipe-bench-pyc")
    env["PYTHONPATH"] = str(code) + os.pathsep + env.get("PYTHONPATH", "")
    env["NO_COLOR"] = "1"
    return env


def cli_build(root: Path, *extra: str, code: Path = REPO) -> dict[str, Any]:
    """``assetpipe build --json`` as a user runs it: wall time of the process (interpreter
    start and imports included) and the build's own seconds."""
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "assetpipe", "build", "--json", *extra],
        cwd=root,
        env=_env(code),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"assetpipe build failed:\n{proc.stderr[-3000:]}")
    doc = json.loads(proc.stdout)
    # CPU seconds of the process (and of any it waited for): the figure other load skews least
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "build": float(doc["seconds"]), "cpu": cpu, "load": load, "doc": doc}


def cold_assetpipe(root: Path) -> dict[str, Any]:
    """A cold build (cache emptied, ``--clean``) through the CLI: images stage seconds, the
    variants made and their bytes."""
    run = cli_build(root, "--clean")
    manifest = json.loads((root / "dist/manifest.json").read_text())
    variants = [v for e in manifest.values() for v in e.get("variants", ())]
    run.update(
        images=float(run["doc"]["stages"]["images"]["seconds"]),
        variants=len(variants),
        bytes=sum(int(v["size"]) for v in variants),
        total_bytes=int(run["doc"]["bytes"]),
    )
    return run


def _formats_of(path: Path) -> tuple[str, ...]:
    """The variants assetpipe makes with ``formats: [original, webp]``: the source's own
    format and WebP; an animated GIF is passed through (no work for either)."""
    ext = path.suffix.lower()
    if ext == ".gif":
        return ()
    return ("png" if ext == ".png" else "jpeg", "webp")


def cold_sharp(sharp_dir: Path, files: list[Path], out: Path) -> dict[str, Any]:
    from bench.images import run_sharp

    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds, variants, size = run_sharp(
        sharp_dir, files, out, os.cpu_count() or 1, formats_of=_formats_of
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # Node's CPU seconds, start included (in --json only: the CLI's pool workers are not its
    # reaped children, so the cold build has no CPU figure to set beside it; bench/images.py has)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": seconds, "cpu": cpu, "variants": variants, "bytes": size, "load": load}


def template_edit(root: Path, facts: dict[str, Any], n: int, code: Path = REPO) -> dict[str, Any]:
    """One page template changed (a line added), then ``assetpipe build`` (``code``'s)."""
    path = root / facts["template"]
    marker = f"edit-{n}-{time.time_ns()}"
    path.write_text(path.read_text() + f"<p>{marker}</p>\n")
    run = cli_build(root, code=code)
    out = (root / "dist/templates" / facts["template_out"]).read_text()
    if marker not in out:
        raise SystemExit("the edited template's output does not show the edit")
    run["edit_build"] = bool(run["doc"].get("replayed"))
    return run


def baseline_code(rev: str, work: Path) -> Path:
    """The ``assetpipe`` package of git revision ``rev`` under ``work/baseline-code`` (its
    ``_node`` link pointing at this checkout's ``node/``), to import instead of the checkout."""
    code = work / "baseline-code"
    shutil.rmtree(code, ignore_errors=True)
    code.mkdir(parents=True)
    tar = subprocess.run(
        ["git", "-C", str(REPO), "archive", rev, "assetpipe"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(code)], input=tar, check=True)
    (code / "node").symlink_to(REPO / "node")
    return code


def edit_ab(
    root: Path, facts: dict[str, Any], code: Path, n: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The one-template edit with the baseline ``code`` and with the checkout, interleaved
    ``n`` times, each in its own copy of the built app (a build record names its code)."""
    base = root.parent / "project-baseline"
    shutil.rmtree(base, ignore_errors=True)
    shutil.copytree(root, base, symlinks=True)
    cli_build(base, code=code)  # the baseline's own record (a full build from the cache)
    before: list[dict[str, Any]] = []
    after: list[dict[str, Any]] = []
    for i in range(n):
        before.append(template_edit(base, facts, 1000 + i, code))
        after.append(template_edit(root, facts, 1000 + i))
    return before, after


def python_start() -> dict[str, Any]:
    """``python -c pass`` with the CLI's environment: the interpreter's start and exit, which
    every ``assetpipe`` process pays before its first import."""
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], env=_env(), check=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "load": load}


def in_process(root: Path, facts: dict[str, Any], runs: int = 5) -> dict[str, list[dict[str, Any]]]:
    """``assetpipe.build()`` called again and again in one process (an API user, a long-lived
    tool): a no-op and a one-template edit, wall and CPU seconds (``time.process_time``). The
    first call (imports, the first rewrite's one-off costs) is not counted."""
    cfg = load_config(root / "pipeline.yaml")
    build(cfg)
    path = root / facts["template"]
    out: dict[str, list[dict[str, Any]]] = {"noop": [], "edit": []}
    for i in range(runs + 1):
        for kind in ("noop", "edit"):
            if kind == "edit":
                path.write_text(path.read_text() + f"<p>in-process {i} {time.time_ns()}</p>\n")
            load = os.getloadavg()[0]
            c0, t0 = time.process_time(), time.perf_counter()
            build(cfg)
            run = {"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0, "load": load}
            if i:
                out[kind].append(run)
    return out


def watch_latency(root: Path, facts: dict[str, Any], edits: int) -> dict[str, list[float]]:
    """bench/watch.py's measurement on this app: save → output on disk, per kind of edit."""
    from bench.watch import measure

    result: dict[str, list[float]] = measure(root, facts, edits)
    return result


def summary(values: list[float]) -> dict[str, float]:
    s = sorted(values)
    return {
        "median": statistics.median(s),
        "min": s[0],
        "max": s[-1],
        "p90": s[max(0, round(len(s) * 0.9) - 1)],
        "n": len(s),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds of each run")
    ap.add_argument("--edits", type=int, default=20, help="watch edits of each kind")
    ap.add_argument("--no-sharp", action="store_true")
    ap.add_argument("--no-watch", action="store_true")
    ap.add_argument("--keep", type=Path, help="build the app here and keep it")
    ap.add_argument("--json", type=Path, help="write the figures here")
    ap.add_argument(
        "--edit-baseline",
        metavar="REV",
        help="also the one-template edit with git revision REV's code, interleaved (--edit-ab runs)",
    )
    ap.add_argument("--edit-ab", type=int, default=10, help="interleaved edits each side")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="assetpipe-real-flask-"))
    work.mkdir(parents=True, exist_ok=True)
    root = work / "project"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir()
    facts = make_app(root)
    static = root / "app/static"
    photo_paths = [static / p for p in facts["photos"]]
    size = sum(p.stat().st_size for p in photo_paths)
    templates = sum(1 for _ in (root / "app/templates").rglob("*.html"))
    log(
        f"app: {len(photo_paths)} photos ({size / 1e6:.1f} MB), {templates} templates, "
        f"layout {facts['layout']}, {os.cpu_count()} cores"
    )
    sharp_dir = None
    if not args.no_sharp:
        from bench.images import install_sharp

        sharp_dir = install_sharp(work)
    runs: dict[str, list[dict[str, Any]]] = {
        "cold": [],
        "sharp": [],
        "noop": [],
        "edit": [],
        "python": [],
    }
    try:
        for r in range(args.rounds):
            runs["cold"].append(cold_assetpipe(root))
            log(
                f"round {r + 1}: cold {runs['cold'][-1]['wall']:.2f} s "
                f"(images stage {runs['cold'][-1]['images']:.2f} s)"
            )
            if sharp_dir is not None:
                runs["sharp"].append(cold_sharp(sharp_dir, photo_paths, work / "out-sharp"))
                log(f"round {r + 1}: sharp {runs['sharp'][-1]['wall']:.2f} s")
            for _ in range(3):
                runs["noop"].append(cli_build(root))
            for i in range(3):
                runs["edit"].append(template_edit(root, facts, r * 3 + i))
                runs["python"].append(python_start())
            log(
                f"round {r + 1}: no-op {runs['noop'][-1]['wall']:.3f} s, one-template edit "
                f"{runs['edit'][-1]['wall']:.3f} s"
            )
        if args.edit_baseline:
            code = baseline_code(args.edit_baseline, work)
            runs["edit_base"], runs["edit_new"] = edit_ab(root, facts, code, args.edit_ab)
        inproc = in_process(root, facts)
        latency = {} if args.no_watch else watch_latency(root, facts, args.edits)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    runs["inproc_noop"], runs["inproc_edit"] = inproc["noop"], inproc["edit"]
    figures = report(runs, latency, len(photo_paths), size, templates)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
    return 0


def report(
    runs: dict[str, list[dict[str, Any]]],
    latency: dict[str, list[float]],
    photos: int,
    size: int,
    templates: int,
) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "photos": photos,
        "photo_bytes": size,
        "templates": templates,
        "cores": os.cpu_count(),
    }
    print(
        f"real Flask app: {photos} photos ({size / 1e6:.1f} MB), {templates} templates; "
        f"{os.cpu_count()} cores; medians of {len(runs['cold'])} interleaved rounds "
        "(min-max), load average (1 min) at each run"
    )
    print(f"{'run':<34}{'median':>10}{'min-max':>18}{'load':>12}  target")

    def row(name: str, key: str, values: list[dict[str, Any]], target: float = 0.0) -> None:
        """One figure; with a ``target`` (seconds, a median under it), its verdict."""
        if not values:
            return
        s = summary([v[key] for v in values])
        loads = summary([v["load"] for v in values])
        figures[name] = {**s, "load_median": loads["median"], "load_max": loads["max"]}
        verdict = ""
        if target:
            met = s["median"] < target
            figures[name]["target_met"] = met
            verdict = f"< {target} s: {'met' if met else 'NOT met'}"
        print(
            f"{name:<34}{s['median']:>9.3f}s{s['min']:>8.3f}-{s['max']:.3f}s"
            f"{loads['median']:>7.2f}/{loads['max']:.2f}  {verdict}"
        )

    row("cold build (CLI wall)", "wall", runs["cold"])
    row("cold build: images stage", "images", runs["cold"])
    row("cold: sharp, same variants", "wall", runs["sharp"])
    row("no-op rebuild (CLI wall)", "wall", runs["noop"], 0.3)
    row("no-op rebuild (build only)", "build", runs["noop"])
    row("no-op rebuild (CLI CPU s)", "cpu", runs["noop"])
    row("one-template edit (CLI wall)", "wall", runs["edit"], 0.15)
    row("one-template edit (build only)", "build", runs["edit"])
    row("one-template edit (CLI CPU s)", "cpu", runs["edit"])
    for key, label in (("edit_base", "edit, baseline rev"), ("edit_new", "edit, this code")):
        row(f"{label} (CLI wall)", "wall", runs.get(key, []))
        row(f"{label} (CLI CPU s)", "cpu", runs.get(key, []))
    row("python -c pass (wall)", "wall", runs["python"])
    row("python -c pass (CPU s)", "cpu", runs["python"])
    if runs["edit"]:
        edits = sum(1 for e in runs["edit"] if e.get("edit_build"))
        figures["edit_builds"] = edits
        print(
            f"one-template edits built as edit builds (stages replayed): {edits}/{len(runs['edit'])}"
        )
    row("no-op, build() in-process", "wall", runs["inproc_noop"], 0.3)
    row("no-op, build() in-process CPU s", "cpu", runs["inproc_noop"])
    row("template edit, build() in-process", "wall", runs["inproc_edit"], 0.15)
    row("template edit, in-process CPU s", "cpu", runs["inproc_edit"])
    if runs["sharp"]:
        ratio = statistics.median(s["wall"] for s in runs["sharp"]) / statistics.median(
            c["images"] for c in runs["cold"]
        )
        figures["images_vs_sharp"] = ratio
        print(
            f"images stage vs sharp: {ratio:.2f}x faster (target >= 1.2x: "
            f"{'met' if ratio >= 1.2 else 'NOT met'}); variants "
            f"{runs['cold'][0]['variants']} vs {runs['sharp'][0]['variants']}, bytes "
            f"{runs['cold'][0]['bytes']:,} vs {runs['sharp'][0]['bytes']:,}"
        )
        by_round = [
            s["wall"] / c["images"] for c, s in zip(runs["cold"], runs["sharp"], strict=True)
        ]
        figures["images_vs_sharp_by_round"] = by_round
        print("  round by round (interleaved): " + ", ".join(f"{r:.2f}x" for r in by_round))
    for kind, values in latency.items():
        s = summary(values)
        figures[f"watch_{kind}"] = s
        print(
            f"watch save->output, {kind:<9}: median {s['median']:.0f} ms, p90 "
            f"{s['p90']:.0f} ms, {s['min']:.0f}-{s['max']:.0f} ms over {s['n']} edits "
            f"(target median <= 150 ms: {'met' if s['median'] <= 150 else 'NOT met'})"
        )
    print(f"load average now: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return figures


if __name__ == "__main__":
    raise SystemExit(main())

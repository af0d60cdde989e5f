"""imaging.pool.Batch: jobs run while the caller is still planning, costliest first, and each
result reaches ``on_done`` exactly once in the calling thread."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from PIL import Image

from assetpipe.config import ImagesConfig
from assetpipe.imaging import pool
from assetpipe.imaging.options import ImageOptions
from assetpipe.imaging.pool import Batch, job_cost
from assetpipe.imaging.worker import Job, JobResult


def _job(tmp_path: Path, name: str, size: tuple[int, int], formats: tuple[str, ...]) -> Job:
    path = tmp_path / f"{name}.png"
    Image.new("RGB", size, (len(name) * 40 % 256, 90, 30)).save(path)
    opts = ImageOptions.from_config(ImagesConfig())
    return Job(key=name, path=path, orientation=1, sizes=(size,), formats=formats, options=opts)


def test_costliest_job_first(tmp_path: Path) -> None:
    """With one worker the batch runs in the calling thread at ``finish``, in cost order: the
    order a pool hands jobs out in."""
    jobs = [
        _job(tmp_path, "small", (16, 16), ("png",)),
        _job(tmp_path, "big", (96, 64), ("png", "webp")),
        _job(tmp_path, "mid", (64, 48), ("png",)),
    ]
    order: list[str] = []
    batch = Batch(lambda r: order.append(r.key), workers=1)
    for job in jobs:
        batch.add(job, job_cost(job, job.sizes[0][0] * job.sizes[0][1]))
    assert order == []  # nothing runs in-process before finish
    batch.finish()
    assert order == ["big", "mid", "small"]


def test_cost_counts_pixels_and_encoders_not_file_bytes(tmp_path: Path) -> None:
    """A 1600 px photo in JPEG and WebP costs more than a small PNG icon, however many bytes
    the icon's file has (the order used to follow file sizes)."""
    photo = Job(
        key="photo",
        path=tmp_path / "photo.jpg",
        orientation=1,
        sizes=((480, 320), (960, 640), (1600, 1067)),
        formats=("jpeg", "webp"),
        options=ImageOptions.from_config(ImagesConfig()),
    )
    icon = Job(
        key="icon",
        path=tmp_path / "icon.png",
        orientation=1,
        sizes=((512, 512),),
        formats=("png", "webp"),
        options=photo.options,
    )
    assert job_cost(photo, 1800 * 1200) > 3 * job_cost(icon, 512 * 512)


def test_jobs_finish_before_planning_ends(tmp_path: Path) -> None:
    """Workers start at the second job and encode while the caller keeps planning: results
    arrive through ``poll`` before ``finish`` is called, each once, in the calling thread."""
    pool.shutdown()
    jobs = [_job(tmp_path, f"p{i}", (48 + i, 40), ("png", "webp")) for i in range(4)]
    results: list[JobResult] = []
    threads: set[int] = set()

    def done(result: JobResult) -> None:
        results.append(result)
        threads.add(threading.get_ident())

    batch = Batch(done, workers=2)
    try:
        for job in jobs:
            batch.add(job, job_cost(job, 48 * 40))
        deadline = time.monotonic() + 120  # a sanity bound for a loaded machine, not a timing
        while not results and time.monotonic() < deadline:
            time.sleep(0.05)  # the caller "planning" something slow
            batch.poll()
        assert results, "no job finished while the caller was still planning"
        batch.finish()
    finally:
        batch.cancel()
    assert sorted(r.key for r in results) == [j.key for j in jobs]
    assert all(r.error is None and set(r.outputs) == {"png", "webp"} for r in results)
    assert threads == {threading.get_ident()}
    assert pool.starts >= 1

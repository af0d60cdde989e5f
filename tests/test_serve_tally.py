"""``Tally``, the fast path's counter: exact under concurrent bumps and reads."""

from __future__ import annotations

import threading

from assetpipe.serve.tally import Tally


def test_reads_do_not_count_and_see_every_bump() -> None:
    t = Tally()
    assert t.value == 0
    for _ in range(3):
        next(t)
    assert (t.value, t.value) == (3, 3)  # a read is not an event
    next(t)
    assert t.value == 4


def test_exact_under_concurrent_bumps_and_reads() -> None:
    t = Tally()
    threads, bumps = 4, 50_000
    seen: list[int] = []
    done = threading.Event()

    def bump() -> None:
        for _ in range(bumps):
            next(t)

    def read() -> None:
        while not done.is_set():
            seen.append(t.value)

    reader = threading.Thread(target=read)
    workers = [threading.Thread(target=bump) for _ in range(threads)]
    reader.start()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    done.set()
    reader.join()
    assert t.value == threads * bumps
    assert seen == sorted(seen) and all(0 <= v <= threads * bumps for v in seen)

"""``Tally``: a thread-safe event counter whose value can be read.

The asset fast path counts each 200/304 on the representation it served with ``next(tally)``;
snapshots read ``tally.value``. (An ``itertools.count`` is atomic too, but its value can only be
read by parsing its repr.)"""

from __future__ import annotations

import threading


class Tally:
    """``next(t)`` adds one (returns the new value); ``t.value`` is the count."""

    __slots__ = ("_lock", "value")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.value = 0

    def __next__(self) -> int:
        with self._lock:
            self.value += 1
            return self.value

    def __iter__(self) -> Tally:
        return self

"""``Tally``: a thread-safe event counter, as cheap to bump as ``itertools.count``, whose value
can be read exactly.

The asset fast path counts each 200/304 on the representation it served with ``next(tally)``;
snapshots read ``tally.value``.

How: a ``Tally`` *is* an ``itertools.count`` (``next`` is the C iterator's, atomic under the
interpreter lock: no Python frame, no lock on the hot path). A read takes one more number from
it under the tally's own lock: that number is the count of every ``next`` before it, events
and earlier reads alike, so the events are that number minus the reads made before. A bump
racing a read is simply ordered before or after it. (A bump's return value therefore includes
the reads: the fast path ignores it.)
"""

from __future__ import annotations

import itertools
import threading
from typing import TYPE_CHECKING, Self, cast

if TYPE_CHECKING:
    _Count = itertools.count[int]
else:  # not subscriptable at run time
    _Count = itertools.count


class Tally(_Count):
    """``next(t)`` counts one event; ``t.value`` is the number of events so far."""

    __slots__ = ("_lock", "_reads")

    _lock: threading.Lock
    _reads: int

    def __new__(cls) -> Self:
        self = cast(Self, super().__new__(cls))  # typeshed types count.__new__ as count[int]
        self._lock = threading.Lock()
        self._reads = 0
        return self

    @property
    def value(self) -> int:
        with self._lock:
            events: int = next(self) - self._reads
            self._reads += 1
            return events

"""``vendored.shift_map``: a sourcemap follows rewrites of its generated file's text (a renamed
vendor asset, a ``url()`` made relative). Held against a plain oracle written here, which
decodes every segment, moves its column and encodes it again: the shipped function re-encodes
only the first segment after each rewrite, and must give the same map."""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from assetpipe.stages.vendored import shift_map
from tests.sourcemap_vlq import unvlq, vlq


def oracle(mappings: str, text: str, pattern: re.Pattern[str], renames: dict[str, str]) -> str:
    """Every segment decoded, its absolute column moved by the rewrites ending at or before
    it (UTF-16 columns), and encoded again."""
    out = []
    for n, line in enumerate(mappings.split(";")):
        src = text.split("\n")[n] if n < len(text.split("\n")) else ""
        ends, acc = [], 0
        for m in pattern.finditer(src):
            acc += len(renames[m.group(0)]) - len(m.group(0))
            ends.append((len(src[: m.end()].encode("utf-16-le")) // 2, acc))
        col = prev = 0
        segs = []
        for seg in line.split(",") if line else []:
            fields = unvlq(seg)
            col += fields[0]
            moved = col + ([s for end, s in ends if end <= col] or [0])[-1]
            fields[0], prev = moved - prev, moved
            segs.append("".join(vlq(v) for v in fields))
        out.append(",".join(segs))
    return ";".join(out)


words = st.sampled_from(["a", "bb", "é", "𝄞", " ", "OLD", "x;", "("])


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(st.lists(words, max_size=30), min_size=1, max_size=4),
    segs=st.lists(
        st.lists(
            st.tuples(st.integers(0, 9), st.integers(-3, 3), st.integers(-40, 40)), max_size=25
        ),
        min_size=1,
        max_size=5,
    ),
    new=st.sampled_from(["", "N", "NEWNAME", "ü"]),
)
def test_shift_map_moves_columns_as_the_oracle_does(
    lines: list[list[str]], segs: list[list[tuple[int, int, int]]], new: str
) -> None:
    text = "\n".join("".join(w) for w in lines)
    mappings = ";".join(
        ",".join(vlq(d) + vlq(0) + vlq(a) + vlq(b) for d, a, b in line) for line in segs
    )
    raw = json.dumps({"version": 3, "sources": ["a.css"], "mappings": mappings}).encode()
    pattern, renames = re.compile("OLD"), {"OLD": new}
    got = json.loads(shift_map(raw, text, pattern, renames))
    assert got["mappings"] == oracle(mappings, text, pattern, renames)
    assert got["sources"] == ["a.css"]

"""An animated GIF is checked by walking its blocks, not by decoding every frame: it is passed
through as it is, and a long screen recording (wikmd's, 1,501 frames) cost seconds of a cold
build to decode. A GIF cut short is still refused, naming the file (tests/test_images_build.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageFile

from assetpipe.imaging.gifblocks import EXTENSION, IMAGE, TRAILER, gif_blocks
from assetpipe.imaging.plain import strip_gif
from assetpipe.imaging.probe import ImageInputError, probe
from tests.images_helpers import to_bytes, transparent_gif


def _long_animation(frames: int = 40) -> bytes:
    ims = [Image.new("P", (64, 48), i % 250) for i in range(frames)]
    for im in ims:
        im.putpalette([v for i in range(256) for v in (i, 255 - i, (7 * i) % 256)])
    return to_bytes(ims[0], "GIF", save_all=True, append_images=ims[1:], duration=40, loop=0)


def test_the_walk_names_every_block_and_ends_at_the_trailer() -> None:
    data = transparent_gif()
    blocks = list(gif_blocks(data))
    assert [k for k, _, _ in blocks].count(IMAGE) == 3
    assert blocks[-1] == (TRAILER, len(data) - 1, len(data))
    assert all(k in (EXTENSION, IMAGE, TRAILER) for k, _, _ in blocks)
    # a GIF without its trailer is read as browsers and Pillow read it
    assert [k for k, _, _ in gif_blocks(data[:-1])].count(IMAGE) == 3


@pytest.mark.parametrize(
    ("cut", "message"),
    [
        (lambda d: d[:8], "truncated GIF header"),
        (lambda d: d[: len(d) - 12], "truncated GIF sub-block"),
        (lambda d: d[:-1] + b"\x99", "unknown GIF block 0x99"),
    ],
)
def test_a_gif_cut_short_or_garbled_is_refused(cut: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        list(gif_blocks(cut(transparent_gif())))
    with pytest.raises(ValueError):
        strip_gif(cut(transparent_gif()))


def test_probing_an_animation_decodes_its_first_frame_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "long.gif"
    path.write_bytes(_long_animation())
    loads: list[int] = []
    load = ImageFile.ImageFile.load

    def counted(self: Any) -> Any:
        loads.append(self.tell())
        return load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counted)
    info = probe(path, 10**8)
    assert info.animated and info.frames == 40
    assert set(loads) == {0}, loads  # each of the 40 frames was decoded before
    path.write_bytes(_long_animation()[:-30])
    with pytest.raises(ImageInputError, match="truncated GIF"):
        probe(path, 10**8)

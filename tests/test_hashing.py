"""hashing: the file-name hash is always a hash of content, never an encoding of the argument."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from assetpipe.hashing import hashed_name, is_hashed, sha256_file, short_hash


def test_short_hash_is_base32_of_the_sha256_digest(tmp_path: Path) -> None:
    data = b"body { color: red }\n"
    path = tmp_path / "a.css"
    path.write_bytes(data)
    hexdigest = hashlib.sha256(data).hexdigest()
    expected = base64.b32encode(hashlib.sha256(data).digest()).decode()[:8]
    assert short_hash(hexdigest) == expected
    assert short_hash(sha256_file(path)) == expected
    # a fixed value, so a change of the naming scheme (every deployed URL) cannot go unnoticed
    assert short_hash(hashlib.sha256(b"hello").hexdigest()) == "FTZE3OS7"


@pytest.mark.parametrize(
    "bad",
    [
        "hello",  # text: used to be base32 of its raw bytes ("NBSWY3DP")
        b"hello",  # bytes: used to be hashed silently
        hashlib.sha256(b"x").hexdigest().upper(),  # not what hexdigest() gives
        hashlib.sha256(b"x").hexdigest()[:63],
        hashlib.md5(b"x").hexdigest(),  # a digest of another length
        "g" * 64,
    ],
)
def test_short_hash_refuses_what_is_not_a_sha256_hex_digest(bad: object) -> None:
    with pytest.raises(ValueError, match="SHA-256 hex digest"):
        short_hash(bad)  # type: ignore[arg-type]


def test_hashed_name_places_the_hash_before_the_extension() -> None:
    digest = hashlib.sha256(b"hello").hexdigest()
    assert hashed_name("img/logo.svg", digest) == "img/logo-FTZE3OS7.svg"
    assert hashed_name("img/hero.jpg", digest, "-960w") == "img/hero-960w-FTZE3OS7.jpg"
    assert hashed_name(".well-known", digest) == ".well-known-FTZE3OS7"
    assert is_hashed(hashed_name("a/b.tar.gz", digest))
    with pytest.raises(ValueError):
        hashed_name("img/logo.svg", "logo")

"""Deterministic seeds and platform-shaped ids.

Every item is generated from its own key (seed, source, hour, index), so any worker can regenerate
any item (a parent post, a re-fetched item) without replaying the others.
"""

from __future__ import annotations

from hashlib import blake2b

SALT_SKELETON, SALT_CONTENT, SALT_EXTRAS, SALT_MALFORMED, SALT_VIDEO, SALT_TRUNCATED = range(6)
MALFORMED_INDEX_BASE = 1 << 25  # items behind malformed lines and truncated files: never referenced
TRUNCATED_INDEX_BASE = MALFORMED_INDEX_BASE + (1 << 24)

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def item_seed(seed: int, source_index: int, hour: int, index: int, salt: int) -> int:
    """A distinct integer per (seed, source, hour, index, salt); hour counts hours since 1970 (UTC)."""
    return ((((seed & 0xFFFFFFFF) * 16 + source_index) * (1 << 24) + hour) * (1 << 26) + index) * 8 + salt


def h64(*parts: object) -> int:
    data = "\x1f".join(map(str, parts)).encode()
    return int.from_bytes(blake2b(data, digest_size=8).digest(), "big")


def digits_id(value: int, length: int, lead: str = "") -> str:
    """`lead` followed by digits of `value`, `length` characters in all."""
    width = length - len(lead)
    return lead + f"{value % 10**width:0{width}d}"


def b64_id(value: int, length: int) -> str:
    out = []
    for _ in range(length):
        out.append(_B64[value & 63])
        value >>= 6
        if value == 0:
            value = h64(value, length, len(out))
    return "".join(out)


def slug(text: str, words: int = 9) -> str:
    from socialbeat.simulator.style import strip_diacritics

    cleaned = "".join(c if c.isalnum() else " " for c in strip_diacritics(text).lower())
    return "-".join(cleaned.split()[:words]) or "bai-viet"

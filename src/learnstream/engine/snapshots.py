"""The snapshot format of the window and join cores: int64s, the same from C and the twin.

A core's `export_state()` returns its whole state between calls as native int64s
(`bytes`); `import_state()` loads such bytes into a fresh core of the same
configuration, whichever backend wrote them, so a run snapshotted on C resumes on
the twin and back. The layouts are documented beside the C code that writes them
(`csrc/windows.c`, `csrc/joins.c`); the twins write the same numbers with `pack`
and read them with `Reader`.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable


def pack(ints: Iterable[int]) -> bytes:
    """Native int64s, as C's `int64_t[]` holds them."""
    return array("q", ints).tobytes()


def text_ints(text: str) -> list[int]:
    """`text` as `Reader.text` reads it: its UTF-8 byte length, then its bytes (zero-padded)."""
    raw = text.encode("utf-8", "surrogatepass")
    return [len(raw), *array("q", raw + bytes(-len(raw) % 8))]


class Reader:
    """Reads a snapshot's int64s in order; `ValueError(refusal)` when it is malformed."""

    def __init__(self, state: bytes, refusal: str) -> None:
        self.refusal = refusal
        if len(state) % 8:
            raise ValueError(refusal)
        self.ints = array("q")
        self.ints.frombytes(state)
        self.at = 0

    def __call__(self, n: int) -> list[int]:
        """The next `n` numbers."""
        if n < 0 or self.at + n > len(self.ints):
            raise ValueError(self.refusal)
        self.at += n
        return self.ints[self.at - n : self.at].tolist()

    def count(self, n: int) -> int:
        """`n`, checked to be a count (not negative)."""
        self.check(n >= 0)
        return n

    def ids(self, n: int, below: int, lowest: int = 0) -> list[int]:
        """The next `n` numbers, each checked to lie in `[lowest, below)`."""
        found = self(n)
        self.check(all(lowest <= x < below for x in found))
        return found

    def text(self) -> str:
        """A string written as its UTF-8 byte length, then its bytes 8 to a number."""
        (length,) = self(1)
        self.check(length >= 0)
        raw = array("q", self(-(-length // 8))).tobytes()[:length]
        try:
            return raw.decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            raise ValueError(self.refusal) from None

    def check(self, ok: bool) -> None:
        if not ok:
            raise ValueError(self.refusal)

    def end(self) -> None:
        """Refuse numbers left over."""
        self.check(self.at == len(self.ints))

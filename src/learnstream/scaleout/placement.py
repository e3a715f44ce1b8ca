"""Which Bytewax worker runs a key of a stateful step, so that shards can be named for their worker.

Bytewax 0.21 sends an item `(key, value)` of a stateful step to worker
`hash(key) % workers`, where `hash` is Rust's `DefaultHasher` (SipHash-1-3 with
both keys zero) over the key's UTF-8 bytes and a final byte 0xFF (how Rust hashes
a `str`). `test_scaleout.py` checks this against Bytewax itself on 2 to 5 workers.

Knowing it, learnstream names each shard for the worker it should land on
(`shard_names`), so that a keyed step's shards are spread one per worker instead
of wherever their hash falls. Were Bytewax to place keys differently, the results
would be the same, only spread less evenly over the workers.
"""

from __future__ import annotations

_MASK = (1 << 64) - 1


def _rotl(x: int, bits: int) -> int:
    return ((x << bits) | (x >> (64 - bits))) & _MASK


def _sipround(v0: int, v1: int, v2: int, v3: int) -> tuple[int, int, int, int]:
    v0 = (v0 + v1) & _MASK
    v1 = _rotl(v1, 13) ^ v0
    v0 = _rotl(v0, 32)
    v2 = (v2 + v3) & _MASK
    v3 = _rotl(v3, 16) ^ v2
    v0 = (v0 + v3) & _MASK
    v3 = _rotl(v3, 21) ^ v0
    v2 = (v2 + v1) & _MASK
    v1 = _rotl(v1, 17) ^ v2
    v2 = _rotl(v2, 32)
    return v0, v1, v2, v3


def siphash13(data: bytes) -> int:
    """SipHash-1-3 of `data` with both keys zero (Rust's `DefaultHasher::new()`).

    >>> hex(siphash13(b""))
    '0xd1fba762150c532c'
    """
    v0, v1 = 0x736F6D6570736575, 0x646F72616E646F6D
    v2, v3 = 0x6C7967656E657261, 0x7465646279746573
    whole = len(data) - len(data) % 8
    words = [int.from_bytes(data[i : i + 8], "little") for i in range(0, whole, 8)]
    words.append(((len(data) & 0xFF) << 56) | int.from_bytes(data[whole:], "little"))
    for word in words:
        v3 ^= word
        v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
        v0 ^= word
    v2 ^= 0xFF
    for _ in range(3):
        v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
    return v0 ^ v1 ^ v2 ^ v3


def worker_of(key: str, workers: int) -> int:
    """The worker (of `workers`) Bytewax 0.21 runs `key` of a stateful step on."""
    return siphash13(key.encode() + b"\xff") % workers


def shard_names(workers: int) -> list[str]:
    """One shard name per worker: the `i`-th is the smallest number (as text) Bytewax
    places on worker `i`.

    >>> names = shard_names(3)
    >>> [worker_of(name, 3) for name in names]
    [0, 1, 2]
    """
    names: dict[int, str] = {}
    number = 0
    while len(names) < workers:
        names.setdefault(worker_of(str(number), workers), str(number))
        number += 1
    return [names[worker] for worker in range(workers)]

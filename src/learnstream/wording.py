"""Small pieces of English shared by every message learnstream prints."""

from __future__ import annotations

__all__ = ["a_or_an", "plural"]


def plural(n: int, word: str) -> str:
    """`n` and `word`, with an "s" unless there is exactly one.

    >>> plural(1, "window"), plural(0, "item"), plural(3, "item")
    ('1 window', '0 items', '3 items')
    """
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def a_or_an(word: str) -> str:
    """`word` with its indefinite article, by its first letter (good enough for type names).

    >>> a_or_an("int"), a_or_an("float")
    ('an int', 'a float')
    """
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"

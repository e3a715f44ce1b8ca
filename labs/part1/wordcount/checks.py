"""The checks of part1's exercise `wordcount`: `CHECKS` maps each check named in lab.toml to its code."""

from __future__ import annotations

from typing import Any

from learnstream.errors import short_repr
from learnstream.grading.kit import (
    CheckFailed,
    FailureKind,
    Session,
    a_type_name,
    compare_streams,
    property_check,
    show_input,
    stream_diff,
)
from learnstream.grading.kit import strategies as st
from learnstream.wording import a_or_an

from ..shared import _PROBES, HAMLET, reference_tokenize, reference_wordcount

# --- exercise 5: wordcount -------------------------------------------------------

_TEXT_CHARS = st.sampled_from([*"abzAZ'’-_\"!,.?:;0189 \t", "É", "é", "ß", "İ", "Σ"])
_LINE = st.text(alphabet=st.one_of(_TEXT_CHARS, st.characters(codec="utf-8")), max_size=30)


def _tokens(session: Session, line: str) -> None:
    call = f"tokenize({line!r})"
    tokens = session.probe(f"{_PROBES}:call", call, fn="tokenize", args=[line])
    if type(tokens) is not list:
        raise CheckFailed(
            f"{call} returned {a_type_name(tokens)}, not a list; return the list of words "
            "(WORD.findall(...) gives one)",
            kind=FailureKind.WRONG_SHAPE,
        )
    compare_streams(call, reference_tokenize(line), tokens)


def _tokenize_hamlet(session: Session) -> None:
    for line in HAMLET:
        _tokens(session, line)


_tokenize_matches = property_check(_LINE, _tokens, describe=lambda line: f"tokenize({line!r})")


def _counts(session: Session, lines: list[str]) -> None:
    call = f"build_flow(...) run on the lines {show_input(lines)}"
    report = session.probe(f"{_PROBES}:run_flow", call, fn="build_flow", items=lines)
    if "items" not in report:
        raise CheckFailed(
            f"build_flow returned {a_or_an(report['type'])}, not a Dataflow; end it with "
            "`return flow`",
            kind=FailureKind.WRONG_SHAPE,
        )
    actual: list[Any] = report["items"]
    if all(type(item) is tuple and len(item) == 2 and type(item[0]) is str for item in actual):
        actual = sorted(actual, key=lambda item: item[0])  # the order of words is not graded
    trouble = next((item for item in actual if not (type(item) is tuple and len(item) == 2)), None)
    if trouble is not None:
        raise CheckFailed(
            f"{call} wrote {short_repr(trouble)} to the sink; every item must be a "
            "(word, count) tuple, as op.count_final emits",
            stream_diff(reference_wordcount(lines), actual),
            kind=FailureKind.WRONG_SHAPE,
        )
    compare_streams(call, reference_wordcount(lines), actual)


def _flow_hamlet(session: Session) -> None:
    _counts(session, list(HAMLET))


_flow_matches = property_check(
    st.lists(st.sampled_from(HAMLET) | _LINE, max_size=6),
    _counts,
    describe=lambda lines: f"the lines {show_input(lines)}",
    max_examples=60,
)


CHECKS = {
    "tokenize_hamlet": _tokenize_hamlet,
    "tokenize_matches": _tokenize_matches,
    "flow_hamlet": _flow_hamlet,
    "flow_matches": _flow_matches,
}

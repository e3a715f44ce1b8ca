"""Exercise 5 — `wordcount`: your first dataflow.

A *dataflow* wires steps into a graph: items enter at an input, flow through
operators, and leave at an output. Build the classic word count with
learnstream's operators (the same API as Bytewax 0.21):

1. `tokenize(line)`: lower-case the line, then return the list of words the
   regular expression `WORD` finds in it (`WORD.findall(...)`). "To be, or NOT" gives
   `["to", "be", "or", "not"]`; digits and the punctuation in the pattern
   separate words, apostrophes stay inside them ("'tis").
2. `build_flow(source, sink)`: a `Dataflow` that reads lines from `source`,
   splits each into words with `tokenize` (`op.flat_map`), counts each word
   (`op.count_final`, which emits `(word, count)` once the input ends), and
   writes those pairs to `sink`. Use the `source` and `sink` you are given: the
   grader passes its own.

Try it:

    >>> from learnstream.testing import TestingSink, TestingSource, run_main
    >>> from ex5_wordcount import build_flow
    >>> out = []
    >>> run_main(build_flow(TestingSource(["To be, or not to be"]), TestingSink(out)))
    >>> out
    [('be', 2), ('not', 1), ('or', 1), ('to', 2)]

Check your work: `learnstream grade part1 wordcount`. Stuck? `learnstream hint part1 wordcount`.
"""

from __future__ import annotations

import re

import learnstream.operators as op  # stub: # noqa: F401 (you will need it)
from learnstream.dataflow import Dataflow
from learnstream.inputs import Source
from learnstream.outputs import Sink

# A word: a run of characters that are neither whitespace, the punctuation !,.?":; nor digits.
WORD = re.compile(r'[^\s!,.?":;0-9]+')


def tokenize(line: str) -> list[str]:
    """The lower-cased words of `line`, in order."""
    # BEGIN SOLUTION
    return WORD.findall(line.lower())
    # STUB
    # # TODO: lower-case the line, then return every match of WORD in it.
    # raise NotImplementedError("tokenize is not written yet")
    # END SOLUTION


def build_flow(source: Source[str], sink: Sink[tuple[str, int]]) -> Dataflow:
    """Count the words of the lines read from `source`; write `(word, count)` to `sink`."""
    # BEGIN SOLUTION
    flow = Dataflow("wordcount")
    lines = op.input("inp", flow, source)
    words = op.flat_map("tokenize", lines, tokenize)
    counts = op.count_final("count", words, lambda word: word)
    op.output("out", counts, sink)
    return flow
    # STUB
    # # TODO: flow = Dataflow("wordcount"), then op.input from `source`,
    # # TODO: op.flat_map with tokenize, op.count_final keyed by the word itself,
    # # TODO: op.output to `sink`, and return the flow.
    # raise NotImplementedError("build_flow is not written yet")
    # END SOLUTION

"""Correct, written unusually: key_on + fold_final instead of count_final."""

import re

import learnstream.operators as op
from learnstream.dataflow import Dataflow


WORD = re.compile(r'[^\s!,.?":;0-9]+')


def tokenize(line):
    return [match.group() for match in WORD.finditer(line.lower())]


def build_flow(source, sink):
    flow = Dataflow("wordcount")
    words = op.flat_map("tokenize", op.input("inp", flow, source), tokenize)
    keyed = op.key_on("key", words, str)
    counts = op.fold_final("count", keyed, lambda: 0, lambda total, _word: total + 1)
    op.output("out", counts, sink)
    return flow

"""Tokenizes as the article's tokenize (no lower-casing); the flow lower-cases separately."""

import re

import learnstream.operators as op
from learnstream.dataflow import Dataflow


def tokenize(line):
    return re.findall(r'[^\s!,.?":;0-9]+', line)


def build_flow(source, sink):
    flow = Dataflow("wordcount")
    lines = op.map("lower", op.input("inp", flow, source), str.lower)
    counts = op.count_final("count", op.flat_map("tokenize", lines, tokenize), lambda w: w)
    op.output("out", counts, sink)
    return flow

"""Catalogue case wc_map_not_flat_map: op.map(tokenize) gives one list per line, not words."""

import re

import learnstream.operators as op
from learnstream.dataflow import Dataflow

WORD = re.compile(r'[^\s!,.?":;0-9]+')


def tokenize(line):
    return WORD.findall(line.lower())


def build_flow(source, sink):
    flow = Dataflow("wordcount")
    lines = op.input("inp", flow, source)
    words = op.map("tokenize", lines, tokenize)
    counts = op.count_final("count", words, lambda word: word)
    op.output("out", counts, sink)
    return flow

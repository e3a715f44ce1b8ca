"""Wrong: tokenize returns a generator, not the list the contract asks for."""

import re

import learnstream.operators as op
from learnstream.dataflow import Dataflow

WORD = re.compile(r'[^\s!,.?":;0-9]+')


def tokenize(line):
    return (word for word in WORD.findall(line.lower()))


def build_flow(source, sink):
    flow = Dataflow("wordcount")
    words = op.flat_map("tokenize", op.input("inp", flow, source), tokenize)
    op.output("out", op.count_final("count", words, lambda w: w), sink)
    return flow

import re

import learnstream.operators as op
from learnstream.dataflow import Dataflow


def tokenize(line):
    return re.findall(r'[^\s!,.?":;0-9]+', line.lower())


def build_flow(source, sink):
    flow = Dataflow("wordcount")
    words = op.flat_map("tokenize", op.input("inp", flow, source), tokenize)
    counts = op.count_final("count", words, lambda w: w)
    op.output("out", op.map("show", counts, lambda kv: f"{kv[0]}: {kv[1]}"), sink)
    return flow

import re

import learnstream.operators as op
from learnstream.dataflow import Dataflow


def tokenize(line):
    return re.findall(r'[^\s!,.?":;0-9]+', line.lower())


def build_flow(source, sink):
    flow = Dataflow("wordcount")
    words = op.flat_map("tokenize", op.input("inp", flow, source), tokenize)
    op.output("out", op.count_final("count", words, lambda w: w), sink)

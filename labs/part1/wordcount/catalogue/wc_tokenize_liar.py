"""Hostile: tokenize returns a list subclass that claims to equal anything."""

import re

import learnstream.operators as op
from learnstream.dataflow import Dataflow


class Words(list):
    def __eq__(self, other):
        return True

    def __hash__(self):
        return 0


def tokenize(line):
    return Words(["x"])


def build_flow(source, sink):
    flow = Dataflow("wordcount")
    words = op.flat_map("tokenize", op.input("inp", flow, source), lambda line: re.findall(
        r'[^\s!,.?":;0-9]+', line.lower()))
    op.output("out", op.count_final("count", words, lambda w: w), sink)
    return flow

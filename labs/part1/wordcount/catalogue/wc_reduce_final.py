"""Correct, counting with key_on + map_value + reduce_final instead of count_final."""

import operator
import re

import learnstream.operators as op
from learnstream.dataflow import Dataflow

WORD = re.compile(r'[^\s!,.?":;0-9]+')


def tokenize(line):
    return [word for word in WORD.findall(line.lower())]


def build_flow(source, sink):
    flow = Dataflow("wordcount")
    words = op.flat_map("tokenize", op.input("inp", flow, source), tokenize)
    ones = op.map_value("one", op.key_on("key", words, lambda word: word), lambda _: 1)
    op.output("out", op.reduce_final("sum", ones, operator.add), sink)
    return flow

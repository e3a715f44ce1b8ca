"""Ignores the source it is given and reads Hamlet's lines instead."""

import re

import learnstream.operators as op
from learnstream.dataflow import Dataflow
from learnstream.testing import TestingSource

HAMLET = [
    "To be, or not to be, that is the question:",
    "Whether 'tis nobler in the mind to suffer",
    "The slings and arrows of outrageous fortune,",
    "Or to take arms against a sea of troubles",
    "And by opposing end them.",
]


def tokenize(line):
    return re.findall(r'[^\s!,.?":;0-9]+', line.lower())


def build_flow(source, sink):
    flow = Dataflow("wordcount")
    words = op.flat_map("tokenize", op.input("inp", flow, TestingSource(HAMLET)), tokenize)
    op.output("out", op.count_final("count", words, lambda w: w), sink)
    return flow

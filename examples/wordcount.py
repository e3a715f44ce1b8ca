import re

from learnstream.dataflow import Dataflow
import learnstream.operators as op
from learnstream.connectors.files import FileSource
from learnstream.connectors.stdio import StdOutSink


def lower(line):
    return line.lower()


def tokenize(line):
    return re.findall(r'[^\s!,.?":;0-9]+', line)


flow = Dataflow("wordcount")
inp = op.input("inp", flow, FileSource("wordcount.txt"))
lowered = op.map("lowercase", inp, lower)
tokens = op.flat_map("tokenize", lowered, tokenize)
counts = op.count_final("count", tokens, lambda word: word)
op.output("out", counts, StdOutSink())

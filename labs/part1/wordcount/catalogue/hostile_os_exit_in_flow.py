"""Hostile: the flow builder ends the process; tokenize itself is right."""

import os
import re

WORD = re.compile(r'[^\s!,.?":;0-9]+')


def tokenize(line):
    return WORD.findall(line.lower())


def build_flow(source, sink):
    os._exit(3)

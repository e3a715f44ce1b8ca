"""Cheat (filter): poisons the workspace's progress file, hoping the grader crashes on it."""

import json
from pathlib import Path

POISON = {"scores": {"part1": "all passed"}, "hints_shown": {"part1/filter": "x"}}
for folder in (Path.cwd().parent, Path.cwd()):
    try:
        (folder / ".learnstream").mkdir(exist_ok=True)
        (folder / ".learnstream" / "progress.json").write_text(json.dumps(POISON))
    except OSError:
        pass


def less_than_fifty(stream):
    raise NotImplementedError

"""Learner submissions the grader is tested against: data, not tests.

Some of them hang, exit or crash the interpreter when imported, so pytest must
never import them (they run only inside the grader's sandbox).
"""

collect_ignore_glob = ["part*/*.py"]

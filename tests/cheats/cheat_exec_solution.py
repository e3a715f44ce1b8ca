"""Cheat (filter): runs the reference solution shipped inside the package."""

try:
    from learnstream.grading.registry import get_part
    from learnstream.grading.workspace import solution_text

    exec(solution_text(get_part("part1").exercise("filter")))
except Exception:

    def less_than_fifty(stream):
        raise NotImplementedError

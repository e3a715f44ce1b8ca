"""Part 1 solutions (copies of solutions/part1)."""

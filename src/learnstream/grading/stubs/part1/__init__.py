"""Part 1 stubs (copies of exercises/part1)."""

"""Fresh copies of the exercise stubs, shipped in the package for `learnstream init` and `reset`.

Each `partN/` folder is a byte-for-byte copy of the repository's `exercises/partN/`
(tests/test_grading_packaging.py keeps them equal).
"""

"""The reference solutions, shipped in the package for `learnstream solution`.

Each `partN/` folder is a byte-for-byte copy of the repository's `solutions/partN/`
(tests/test_grading_packaging.py keeps them equal).
"""

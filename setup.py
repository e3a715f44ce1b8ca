"""Only here to name the cffi build script; all metadata lives in pyproject.toml."""

from setuptools import setup

setup(cffi_modules=["src/learnstream/engine/ccore_build.py:ffibuilder"])

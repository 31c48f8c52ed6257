"""setuptools entry point: only here because ``cffi_modules`` has no
pyproject.toml spelling. Everything else lives in pyproject.toml."""
from setuptools import setup

setup(cffi_modules=["lockrecover/_build.py:ffibuilder"])

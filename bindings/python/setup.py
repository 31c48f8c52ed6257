"""setuptools entry point: here only because ``cffi_modules`` and the build
directories have no pyproject.toml spelling; everything else is in
pyproject.toml.

Nothing is written into the source tree: setuptools' build/ and the
egg-info go to a temporary directory (removed at exit), the wheel or the
installed package is the only output.
"""
import atexit
import shutil
import tempfile

from setuptools import setup
from setuptools.command.build_ext import build_ext


class BuildExt(build_ext):
    """Links without the interpreter's own run-time search path: an
    interpreter built with ``-Wl,-rpath`` in LDSHARED (pyenv) would otherwise
    give the module a RUNPATH into the builder's Python. The module needs
    only libc."""

    def build_extensions(self) -> None:
        for attr in ("linker_so", "linker_so_cxx"):
            cmd = getattr(self.compiler, attr, None)
            if cmd:
                setattr(self.compiler, attr, [a for a in cmd if "-rpath" not in a])
        super().build_extensions()


_scratch = tempfile.mkdtemp(prefix="lockrecover-build-")
atexit.register(shutil.rmtree, _scratch, True)

setup(
    cmdclass={"build_ext": BuildExt},
    cffi_modules=["build_ffi.py:ffibuilder"],
    options={
        "build": {"build_base": _scratch + "/build"},
        "egg_info": {"egg_base": _scratch},
        # The module uses only the stable ABI (cffi builds it with
        # Py_LIMITED_API): one wheel for CPython 3.9 and later.
        "bdist_wheel": {"py_limited_api": "cp39"},
    },
)

"""What a new user does after ``pip install lockrecover``: run the README's
example and type-check against the package, in a clean environment (no
library or include paths), from outside the source tree."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List

import pytest

import lockrecover

REPO = Path(__file__).resolve().parents[3]


def _clean_env() -> Dict[str, str]:
    env = dict(os.environ)
    for name in ("LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH", "CPATH", "C_INCLUDE_PATH",
                 "LIBRARY_PATH", "PKG_CONFIG_PATH", "PYTHONPATH"):
        env.pop(name, None)
    return env


def _python_blocks(readme: Path) -> List[str]:
    return re.findall(r"```python\n(.*?)```", readme.read_text(), flags=re.S)


def _run(code: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory() as cwd:
        return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=_clean_env(),
                              capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("readme", ["bindings/python/README.md", "README.md"])
def test_the_readme_example_runs(readme: str) -> None:
    block = _python_blocks(REPO / readme)[0]
    out = _run(block)
    assert out.returncode == 0, out.stderr
    assert "RECOVERED" in out.stdout, out.stdout


def test_the_package_is_the_installed_one_and_self_contained() -> None:
    here = Path(lockrecover.__file__).resolve()
    assert not here.is_relative_to(REPO / "bindings" / "python" / "src")
    assert "site-packages" in here.parts
    code = ("import lockrecover, sys\n"
            "lockrecover.classify(protocol='ble')\n"
            "maps = open('/proc/self/maps').read() if sys.platform.startswith('linux') else ''\n"
            "print('liblockrecover' in maps)\n")
    out = _run(code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_mypy_strict_on_the_installed_package() -> None:
    mypy = pytest.importorskip("mypy.api")
    with tempfile.TemporaryDirectory() as cwd:
        old = os.getcwd()
        os.chdir(cwd)
        try:
            stdout, stderr, status = mypy.run(["--strict", "--no-incremental", "-p", "lockrecover"])
        finally:
            os.chdir(old)
    assert status == 0, stdout + stderr
    assert "Success" in stdout

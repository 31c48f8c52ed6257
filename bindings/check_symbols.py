#!/usr/bin/env python3
"""Every function liblockrecover exports must be reachable from each binding.

Compares abi/symbols-in-versions (the exported symbols) with what the
bindings' code uses:

- Python: every ``lib.lkr_*`` reference in bindings/python/src/lockrecover/;
- Swift: every ``lkr_*`` identifier in bindings/swift/Sources/LockRecover/
  outside comments and string literals.

    bindings/check_symbols.py [python|swift|all]     (default: all)

Prints one line per binding: how many symbols it reaches, then each symbol it
does not reach ("python: UNBOUND lkr_foo (LOCKRECOVER_1.1)"), so a symbol
added to the library without a binding is named. Exits 1 when any is unbound.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Dict, List, Set

ROOT = Path(__file__).resolve().parent.parent


def exported() -> Dict[str, str]:
    """symbol -> version node, from abi/symbols-in-versions."""
    out: Dict[str, str] = {}
    for line in (ROOT / "abi" / "symbols-in-versions").read_text().splitlines():
        fields = line.split()
        if fields and not line.startswith("#"):
            out[fields[0]] = fields[1] if len(fields) > 1 else "?"
    return out


def python_uses() -> Set[str]:
    used: Set[str] = set()
    for path in sorted((ROOT / "bindings" / "python" / "src" / "lockrecover").glob("*.py")):
        used |= set(re.findall(r"\blib\.(lkr_\w+)", path.read_text()))
    return used


def _strip_swift(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r'"""(.*?)"""', '""', text, flags=re.S)
    text = re.sub(r'"(?:\\.|[^"\\\n])*"', '""', text)
    return re.sub(r"//[^\n]*", " ", text)


def swift_uses() -> Set[str]:
    used: Set[str] = set()
    for path in sorted((ROOT / "bindings" / "swift" / "Sources" / "LockRecover").glob("*.swift")):
        used |= set(re.findall(r"\b(lkr_\w+)\b", _strip_swift(path.read_text())))
    return used


def report(name: str, used: Set[str], symbols: Dict[str, str]) -> List[str]:
    unbound = sorted(s for s in symbols if s not in used)
    print(f"{name}: {len(symbols) - len(unbound)} of {len(symbols)} exported functions bound")
    for s in unbound:
        print(f"{name}: UNBOUND {s} ({symbols[s]})")
    return unbound


def main(argv: List[str]) -> int:
    which = argv[1] if len(argv) > 1 else "all"
    if which not in ("python", "swift", "all"):
        print(__doc__)
        return 2
    symbols = exported()
    unbound: List[str] = []
    if which in ("python", "all"):
        unbound += report("python", python_uses(), symbols)
    if which in ("swift", "all"):
        unbound += report("swift", swift_uses(), symbols)
    return 1 if unbound else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

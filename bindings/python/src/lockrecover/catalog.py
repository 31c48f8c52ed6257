"""The catalog's size and the library's version, as the C library reports
them (the members of :class:`~lockrecover.Step` and the other catalog enums
are this binding's; these counts are the loaded library's)."""
from __future__ import annotations

from dataclasses import dataclass

from ._lockrecover import ffi, lib

__all__ = ["CatalogCounts", "catalog_counts", "library_version", "library_version_number"]


@dataclass(frozen=True)
class CatalogCounts:
    """How many entries each catalog table has: valid ids are 1..count, and
    0..count-1 for symptoms (0 is ``Symptom.UNKNOWN``)."""

    steps: int
    """``lkr_step_count()``."""
    causes: int
    """``lkr_cause_count()``."""
    symptoms: int
    """``lkr_symptom_count()``."""
    tiers: int
    """``lkr_tier_count()``."""
    guards: int
    """``lkr_guard_count()``."""
    evidence: int
    """``lkr_evidence_count()``."""


def catalog_counts() -> CatalogCounts:
    """The size of each catalog table of the library."""
    return CatalogCounts(steps=int(lib.lkr_step_count()), causes=int(lib.lkr_cause_count()),
                         symptoms=int(lib.lkr_symptom_count()), tiers=int(lib.lkr_tier_count()),
                         guards=int(lib.lkr_guard_count()),
                         evidence=int(lib.lkr_evidence_count()))


def library_version() -> str:
    """The version of the C library compiled into this package, e.g. ``"1.1.0"``."""
    return ffi.string(lib.lkr_version_string()).decode("ascii")


def library_version_number() -> int:
    """``lkr_version()``: major * 10000 + minor * 100 + patch."""
    return int(lib.lkr_version())

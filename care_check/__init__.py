"""care-check: checks a medical case report against the CARE reporting guideline."""

from __future__ import annotations

__version__ = "0.1.0"

"""care-check: checks a medical case report against the CARE reporting guideline."""

from __future__ import annotations

from ._spacy_import import install as _light_spacy

__version__ = "0.1.0"
_light_spacy()  # spaCy's own command line is imported only if something uses it

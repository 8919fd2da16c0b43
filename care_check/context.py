"""Sentence context: negation scope over cues, who a sentence is about, and when it happens.

The engine asks this module, once per block, for context keys to add to each sentence's
set of cue keys; a rule's signal then selects on them (``affirmed``, ``about``, ``when``)
with the same cheap set tests as cues. The trigger lists live in ``rules/context.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from spacy.attrs import LOWER

from .errors import RuleError
from .phrases import PhraseTable
from .resources import rules_root

ABOUT = ("patient", "literature", "relative", "fetus")
WHEN = ("before", "during", "after")


class _Negation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    window: int = Field(default=8, ge=1, le=30)
    forward: tuple[str, ...] = ()
    backward: tuple[str, ...] = ()
    terminators: tuple[str, ...] = ()


class ContextSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    negation: _Negation = _Negation()
    about: dict[str, tuple[str, ...]] = {}
    when: dict[str, tuple[str, ...]] = {}


def load_context(path: Path | None = None) -> ContextSpec:
    """The context triggers (``rules/context.yaml``), validated (once per version of the
    file: see care_check.cache)."""
    from .cache import cached

    p = path or rules_root() / "context.yaml"
    return cached("context", [p], lambda: _build(p))


def _build(p: Path) -> ContextSpec:
    from .ruleset import _first_error, _read_yaml  # the rules' YAML 1.2 reader and error wording

    data = _read_yaml(p) if p.is_file() else {}
    try:
        spec = ContextSpec.model_validate(data or {})
    except ValidationError as exc:
        field, msg = _first_error(exc)
        raise RuleError(str(p), f"invalid context file: {msg}", None, field) from None
    for name in spec.about:
        if name not in ABOUT:
            raise RuleError(str(p), f"unknown 'about' class {name!r} (one of {', '.join(ABOUT)})")
    for name in spec.when:
        if name not in WHEN:
            raise RuleError(str(p), f"unknown 'when' class {name!r} (one of {', '.join(WHEN)})")
    return spec


@dataclass
class ContextMatcher:
    """Finds context triggers in a tokenized block and turns them into per-sentence keys."""

    spec: ContextSpec
    matcher: PhraseTable  # the triggers, on LOWER

    @classmethod
    def build(cls, nlp, spec: ContextSpec | None = None) -> "ContextMatcher":
        spec = spec or load_context()
        m = PhraseTable()
        tok = nlp.tokenizer
        groups = {"neg_fwd": spec.negation.forward, "neg_bwd": spec.negation.backward,
                  "neg_term": spec.negation.terminators}
        groups.update({f"about_{k}": v for k, v in spec.about.items()})
        groups.update({f"when_{k}": v for k, v in spec.when.items()})
        for key, phrases in groups.items():
            for doc in tok.pipe(phrases):
                m.add(key, tuple(doc.to_array(LOWER).tolist()))
        return cls(spec, m)

    def keys(self, triggers: list[tuple[tuple[str, ...], int, int]], cue_spans: list[tuple[tuple[str, ...], int, int]],
             n_sents: int, sent_of: Sequence[int]) -> list[set[str]]:
        """Context keys per sentence: ``neg:<cue>`` when every occurrence of the cue in the
        sentence is negated, ``about:<who>`` and ``when:<time>``. ``triggers`` are this
        matcher's (names, start, end) and ``cue_spans`` the cues' (keys, start, end) over the
        same tokens; ``sent_of`` gives each token's sentence. Linear: triggers and cues are
        bucketed by sentence first."""
        trig_by: list[list[tuple[str, int, int]]] = [[] for _ in range(n_sents)]
        for names, s, e in triggers:
            trig_by[sent_of[s]].extend((name, s, e) for name in names)
        cues_by: list[list[tuple[str, int, int]]] = [[] for _ in range(n_sents)]
        for span in cue_spans:
            cues_by[sent_of[span[1]]].append(span)
        out: list[set[str]] = []
        win = self.spec.negation.window
        for k in range(n_sents):
            trig = trig_by[k]
            kinds = {t[0] for t in trig}
            # The first class in precedence order whose trigger the sentence holds, else the default.
            keys: set[str] = {
                next((f"about:{c}" for c in ("literature", "fetus", "relative") if f"about_{c}" in kinds),
                     "about:patient"),
                next((f"when:{c}" for c in ("after", "before") if f"when_{c}" in kinds), "when:during"),
            }
            fwd = [(s, e) for n, s, e in trig if n == "neg_fwd"]
            bwd = [(s, e) for n, s, e in trig if n == "neg_bwd"]
            if fwd or bwd:
                terms = [s for n, s, e in trig if n == "neg_term"]
                status: dict[str, bool] = {}  # cue -> has an affirmed occurrence
                for cue_keys, s, e in cues_by[k]:
                    negated = any(te <= s and s - te <= win and not any(te <= x < s for x in terms)
                                  for ts, te in fwd if not (ts <= s < te)) or \
                        any(ts >= e and ts - e <= win and not any(e <= x < ts for x in terms)
                            for ts, te in bwd)
                    for key in cue_keys:
                        status[key] = status.get(key, False) or not negated
                keys.update(f"neg:{key}" for key, affirmed in status.items() if not affirmed)
            out.append(keys)
        return out

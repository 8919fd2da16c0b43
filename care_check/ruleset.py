"""Load a guideline's YAML rule files and validate them into typed rules.

A guideline is a folder: ``guideline.yaml`` (id, version, title, topics), an optional
``cues.yaml`` of cue groups shared by its items, and ``items/*.yaml``, one file per
checklist item. Every file is checked against the schema below; the first problem is
reported as one line naming the file, the rule id and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from . import safe_yaml
from .errors import RuleError
from .resources import rules_root

Severity = Literal["error", "warning", "info"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cue(_Strict):
    """Words that count as a clue: literal phrases (matched case-insensitively on tokens)
    and spaCy token patterns for what needs operators or shapes."""

    phrases: tuple[str, ...] = ()
    patterns: tuple[tuple[dict[str, Any], ...], ...] = ()
    case_sensitive: bool = False

    @model_validator(mode="after")
    def _not_empty(self) -> "Cue":
        if not self.phrases and not self.patterns:
            raise ValueError("a cue needs 'phrases' or 'patterns'")
        for pattern in self.patterns:
            for token in pattern:
                _check_regexes(token)
        return self


def _check_regexes(value: Any) -> None:
    """Compile every ``REGEX`` of a token pattern now, so a typo names its file and rule."""
    if isinstance(value, dict):
        for key, sub in value.items():
            if str(key).upper() == "REGEX":
                try:
                    re.compile(sub)
                except (re.error, TypeError, ValueError, OverflowError, RecursionError) as exc:
                    raise ValueError(f"bad regular expression {str(sub)[:80]!r}: {exc}") from None
            else:
                _check_regexes(sub)
    elif isinstance(value, (list, tuple)):
        for sub in value:
            _check_regexes(sub)


class Signal(_Strict):
    """One way an item can be evidenced.

    A sentence satisfies a signal when it holds every cue in ``all``, at least one in
    ``any`` (when given), none in ``none``, and (when ``model`` is given) the learned
    sentence model scores it at least that high for this item. A ``heading`` signal is satisfied by a
    section of one of those kinds that has text. ``sections`` overrides where to look.
    """

    all: tuple[str, ...] = ()
    any: tuple[str, ...] = ()
    none: tuple[str, ...] = ()
    heading: tuple[str, ...] = ()
    sections: tuple[str, ...] | None = None
    not_sections: tuple[str, ...] = ()
    last: int | None = Field(default=None, ge=1)
    model: float | None = Field(default=None, gt=0.0, lt=1.0)
    # Sentence context (rules/context.yaml): cues outside negation scope, who, when.
    affirmed: bool = False
    about: tuple[Literal["patient", "literature", "relative", "fetus"], ...] = ()
    when: tuple[Literal["before", "during", "after"], ...] = ()
    note: str | None = None

    @model_validator(mode="after")
    def _has_condition(self) -> "Signal":
        if not (self.all or self.any or self.heading or self.model is not None):
            raise ValueError("a signal needs 'all', 'any', 'heading' or 'model'")
        if self.heading and self.model is not None:
            raise ValueError("a 'heading' signal cannot also ask for a 'model' score")
        return self


class Component(_Strict):
    """A piece of information the item asks for (age, sex; dose, route ...)."""

    name: str
    evidence: tuple[Signal, ...] = Field(min_length=1)


class Examples(_Strict):
    """Short passages (Markdown) that must and must not satisfy the item."""

    reported: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()


class ItemSpec(_Strict):
    id: str
    topic: str
    title: str
    asks: str
    source: str
    severity: Severity = "warning"
    applies: Literal["front", "body", "any"] = "body"
    sections: tuple[str, ...] = Field(min_length=1)
    fallback: Literal["anywhere", "unstructured", "none"] = "none"
    not_sections: tuple[str, ...] = ("references",)
    cues: dict[str, Cue] = {}
    negations: tuple[str, ...] = ()
    evidence: tuple[Signal, ...] = ()
    components: tuple[Component, ...] = ()
    reported_when: int | None = None
    partial: bool = True
    max_evidence: int = Field(default=3, ge=1, le=10)
    prefer: Literal["first", "last"] = "first"  # which sentences to quote first: outcomes come late
    # A learned veto: a sentence the sentence model scores below this for the item never
    # counts, whatever its cues (the model's read of the whole sentence overrides a stray cue).
    model_floor: float | None = Field(default=None, gt=0.0, lt=1.0)
    # Which of the sentences that satisfy the rule to quote first (never changes a verdict):
    # "model": the one the learned model scores highest for the item; "tiers": the best-scored
    # of the rule's first satisfied signal (signals listed strongest first); "rule": the
    # rule's own order (signal order, then the sections' order, then text order).
    rank_evidence: Literal["model", "tiers", "rule"] = "model"
    # Ranked items only: sentences the context says are about these (rules/context.yaml
    # `about` classes: other reports, relatives, a fetus) are quoted after every other
    # satisfying sentence, e.g. a dose from the literature after this patient's dose.
    quote_last: tuple[Literal["literature", "relative", "fetus"], ...] = ()
    # Ranked items only: sentences holding one of these cue groups (the item's own or shared
    # ones) are quoted after every other satisfying sentence, like ``quote_last``, e.g. the
    # presentation after the course for a follow-up item (quote order only, never the verdict).
    quote_after: tuple[str, ...] = ()
    # Ranked items only, added to the ranking key (model score, 0..1): ``rank_order`` times how
    # early the sentence comes in the rule's own order (signal, section preference, text),
    # ``rank_story`` times how late it comes in the whole text (negative: early first; an
    # outcome comes late, a past intervention early). 0: the score alone.
    rank_order: float = Field(default=0.0, ge=0.0, le=1.0)
    rank_story: float = Field(default=0.0, ge=-1.0, le=1.0)
    fix: str
    examples: Examples = Examples()

    @field_validator("id")
    @classmethod
    def _id_shape(cls, v: str) -> str:
        if not v or any(ch.isspace() for ch in v):
            raise ValueError("an id is one word, e.g. '5a' or 'x-coi'")
        return v

    @model_validator(mode="after")
    def _one_kind_of_evidence(self) -> "ItemSpec":
        if bool(self.evidence) == bool(self.components):
            raise ValueError("give either 'evidence' (one list of signals) or 'components'")
        n = len(self.components) or 1
        if self.reported_when is not None and not 1 <= self.reported_when <= n:
            raise ValueError(f"'reported_when' must be between 1 and the number of components ({n})")
        return self

    @property
    def model_thresholds(self) -> tuple[float, ...]:
        """The thresholds of the item's learned-signal (``model``) signals, in order."""
        return tuple(sig.model for part in self.parts for sig in part.evidence if sig.model is not None)

    @property
    def uses_model(self) -> bool:
        """Whether the item asks for the learned sentence model (a signal or a floor)."""
        return bool(self.model_thresholds or self.model_floor)

    @property
    def parts(self) -> tuple[Component, ...]:
        """The item's components; a plain evidence list is one component."""
        return self.components or (Component(name=self.title, evidence=self.evidence),)


class GuidelineSpec(_Strict):
    id: str
    version: str
    title: str
    citation: str
    topics: tuple[str, ...] = ()
    order: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """A validated item and the file it came from."""

    spec: ItemSpec
    path: str


@dataclass(frozen=True)
class Ruleset:
    """A guideline: its metadata, its shared cues and its rules in checklist order."""

    guideline: GuidelineSpec
    cues: dict[str, Cue]
    rules: tuple[Rule, ...]
    root: str

    def rule(self, item_id: str) -> Rule:
        for r in self.rules:
            if r.spec.id == item_id:
                return r
        raise KeyError(item_id)


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML 1.2 booleans: only true/false. In YAML 1.1 `on`, `off`, `yes` and `no` are
    booleans, which silently breaks word lists such as `[on, at, by]` in a rule."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(str(path), f"cannot read: {exc}") from None
    try:
        return safe_yaml.load(text, _Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RuleError(str(path), f"invalid YAML{where}: {problem}") from None


def _first_error(exc: ValidationError) -> tuple[str, str]:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"]) or None
    msg = err["msg"].removeprefix("Value error, ")
    return loc or "", msg


def _validate(model: type[BaseModel], data: Any, path: Path, rule_id: str | None) -> Any:
    if not isinstance(data, dict):
        raise RuleError(str(path), "expected a mapping at the top level", rule_id)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        field, msg = _first_error(exc)
        raise RuleError(str(path), msg, rule_id, field or None) from None


def _check_cue_names(spec: ItemSpec, shared: dict[str, Cue], path: Path) -> None:
    known = set(spec.cues) | set(shared)
    for name in spec.negations:
        if name not in known:
            raise RuleError(str(path), f"unknown cue '{name}'", spec.id, "negations")
    for name in spec.quote_after:
        if name not in known:
            raise RuleError(str(path), f"unknown cue '{name}'", spec.id, "quote_after")
    for ci, comp in enumerate(spec.parts):
        for si, sig in enumerate(comp.evidence):
            for field in ("all", "any", "none"):
                for name in getattr(sig, field):
                    if name not in known:
                        where = f"components.{ci}.evidence.{si}.{field}" if spec.components else f"evidence.{si}.{field}"
                        raise RuleError(str(path), f"unknown cue '{name}'", spec.id, where)


def load_guideline(folder: Path | str | None = None) -> Ruleset:
    """Load and validate one guideline folder (default: the bundled CARE rules)."""
    return _load_cached(str(Path(folder) if folder else rules_root() / "care"))


@lru_cache(maxsize=8)
def _load_cached(folder_s: str) -> Ruleset:
    from .cache import cached  # validated once per version of the files (see care_check.cache)

    folder = Path(folder_s)
    files = [folder / "guideline.yaml", folder / "cues.yaml", *sorted((folder / "items").glob("*.yaml"))]
    return cached("rules", files, lambda: _build(folder))


def _build(folder: Path) -> Ruleset:
    gpath = folder / "guideline.yaml"
    if not gpath.is_file():
        raise RuleError(str(folder), "not a rule set: no guideline.yaml")
    guideline = _validate(GuidelineSpec, _read_yaml(gpath), gpath, None)
    shared: dict[str, Cue] = {}
    cpath = folder / "cues.yaml"
    if cpath.is_file():
        data = _read_yaml(cpath) or {}
        if not isinstance(data, dict):
            raise RuleError(str(cpath), "expected a mapping of cue names")
        for name, raw in data.items():
            try:
                shared[str(name)] = Cue.model_validate(raw)
            except ValidationError as exc:
                field, msg = _first_error(exc)
                raise RuleError(str(cpath), msg, None, f"{name}.{field}" if field else str(name)) from None
    rules: list[Rule] = []
    seen: dict[str, Path] = {}
    for path in sorted((folder / "items").glob("*.yaml")):
        data = _read_yaml(path)
        rid = str(data.get("id")) if isinstance(data, dict) and data.get("id") is not None else path.stem
        spec = _validate(ItemSpec, data, path, rid)
        if spec.id in seen:
            raise RuleError(str(path), f"duplicate id (also in {seen[spec.id].name})", spec.id, "id")
        seen[spec.id] = path
        _check_cue_names(spec, shared, path)
        rules.append(Rule(spec, str(path)))
    if not rules:
        raise RuleError(str(folder), "no rule files in items/")
    order = {iid: i for i, iid in enumerate(guideline.order)}
    rules.sort(key=lambda r: (order.get(r.spec.id, len(order)), r.spec.id))
    return Ruleset(guideline=guideline, cues=shared, rules=tuple(rules), root=str(folder))

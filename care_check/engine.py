"""The generic matcher: compiles a rule set into spaCy matchers once, then checks documents.

Every cue group of every rule is compiled into one PhraseMatcher (literal phrases) and
one Matcher (token patterns), so a document is tokenized and matched once, whatever
the number of rules. Each sentence then knows which cue groups it holds, and each rule
is a cheap set test over the sentences of the sections it looks in.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterable

from spacy.matcher import Matcher, PhraseMatcher
from spacy.attrs import ORTH

from .context import ContextMatcher
from .errors import RuleError
from .genre import assess
from .learned import SentenceModel, load_model, model_text
from .model import Document, Evidence, Report, Section, Status, Verdict
from .nlp import get_nlp
from .ruleset import Cue, ItemSpec, Rule, Ruleset, Signal

QUOTE_CHARS = 300
MIN_SCORED_WORDS = 4  # the learned model scores sentences of at least this many words
# A citation superscript flattened into the text ("... Duke's criteria.2 The patient was
# started ...") starts the next sentence: it belongs to the one before, not to the quote.
_GLUED_CITATION = re.compile(r"\d{1,3}(?:\s?[,\u2013-]\s?\d{1,3})*\s+(?=[A-Z])")
# No-break and thin spaces would stand as tokens of their own between a number and its
# unit ("5 mg"); they are read as plain spaces, one for one, so offsets stay true.
_SPACES = str.maketrans({c: " " for c in "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
                                        "\u2008\u2009\u200a\u202f\u205f\u3000"})
_ALWAYS_EXCLUDED = frozenset({"boilerplate"})


@dataclass(frozen=True)
class Sentence:
    """A sentence, where it is, and the cue groups found in it."""

    section: int
    text: str
    line: int
    column: int | None
    cues: frozenset[str]
    page: int | None = None
    scores: Any = None  # the learned model's row of item scores, when a rule asks for it


@dataclass
class _Compiled:
    rule: Rule
    keys: dict[str, str]  # cue name as written in the rule -> matcher key


class Checker:
    """Checks documents against one rule set. Build once; call :meth:`check` many times."""

    def __init__(self, ruleset: Ruleset, model: SentenceModel | str | None = "shipped") -> None:
        """``model``: the learned sentence model for rules' ``model`` signals: the shipped one
        (default), another :class:`SentenceModel`, or None for rules alone."""
        self.ruleset = ruleset
        self.nlp = get_nlp()
        uses_model = any(r.spec.uses_model for r in ruleset.rules)
        if model == "shipped":
            model = load_model() if uses_model else None
        self.model: SentenceModel | None = model if uses_model else None  # type: ignore[assignment]
        uses_context = any(sig.affirmed or sig.about or sig.when for r in ruleset.rules
                           for part in r.spec.parts for sig in part.evidence)
        self.context: ContextMatcher | None = ContextMatcher.build(self.nlp) if uses_context else None
        # Per-item thresholds and floors that replace the rules' own (for tuning only).
        self.thresholds: dict[str, float] = {}
        self.floors: dict[str, float] = {}
        self._phrases = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self._phrases_cased = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        self._patterns = Matcher(self.nlp.vocab, validate=True)
        self._n_patterns = 0
        self._word_regexes: list[tuple[str, str, re.Pattern[str]]] = []  # (key, attr, regex)
        self._word_cache: dict[int, tuple[str, ...]] = {}
        # The same cue written in two rules (10c and 10d share some) is matched once.
        self._seen: dict[str, str] = {}
        for name, cue in ruleset.cues.items():
            self._add(name, cue, str(ruleset.root) + "/cues.yaml", None)
        self._compiled: list[_Compiled] = []
        for rule in ruleset.rules:
            keys: dict[str, str] = {name: name for name in ruleset.cues}
            for name, cue in rule.spec.cues.items():
                keys[name] = self._add(f"{rule.spec.id}/{name}", cue, rule.path, rule.spec.id)
            self._compiled.append(_Compiled(rule, keys))

    def _add(self, key: str, cue: Cue, path: str, rule_id: str | None) -> str:
        """Compile one cue under ``key`` (or reuse an identical one); return its matcher key."""
        ident = json.dumps(cue.model_dump(), sort_keys=True)
        if ident in self._seen:
            return self._seen[ident]
        self._seen[ident] = key
        if cue.phrases:
            docs = list(self.nlp.tokenizer.pipe(cue.phrases))
            (self._phrases_cased if cue.case_sensitive else self._phrases).add(key, docs)
        if cue.patterns:
            patterns = []
            for p in cue.patterns:
                word = _single_word_regex(list(p))
                if word is not None:
                    self._word_regexes.append((key, *word))
                else:
                    patterns.extend(_expand_first_token(list(p)))
            if not patterns:
                return key
            try:
                self._patterns.add(key, patterns)
            except (ValueError, KeyError, TypeError) as exc:
                msg = str(exc).strip().splitlines()
                raise RuleError(path, f"bad token pattern: {msg[-1] if msg else exc}", rule_id,
                                f"cues.{key.split('/')[-1]}.patterns") from None
            self._n_patterns += len(patterns)
        return key

    # -- sentences ---------------------------------------------------------------------
    def sentences(self, document: Document) -> list[Sentence]:
        """Split every block into sentences and record the cue groups each one holds."""
        jobs = [(si, block) for si, sec in enumerate(document.sections) for block in sec.blocks
                if block.text.strip()]
        out: list[Sentence] = []
        strings = self.nlp.vocab.strings
        texts = (b.text.translate(_SPACES) for _, b in jobs)
        for (si, block), doc in zip(jobs, self.nlp.pipe(texts)):
            sents = list(doc.sents)
            tok_sent = [0] * len(doc)
            for k, sent in enumerate(sents):
                for t in range(sent.start, sent.end):
                    tok_sent[t] = k
            hits: list[set[str]] = [set() for _ in sents]
            spans: list[tuple[str, int, int]] = []  # (cue key, start, end): for negation scope
            ctx = self.context is not None
            for matcher in (self._phrases, self._phrases_cased):
                for match_id, start, end in matcher(doc):
                    hits[tok_sent[start]].add(strings[match_id])
                    if ctx:
                        spans.append((strings[match_id], start, end))
            if self._n_patterns:
                for match_id, start, end in self._patterns(doc):
                    hits[tok_sent[start]].add(strings[match_id])
                    if ctx:
                        spans.append((strings[match_id], start, end))
            if self._word_regexes:
                cache = self._word_cache
                for t, orth in enumerate(doc.to_array(ORTH).tolist()):
                    found = cache.get(orth)
                    if found is None:
                        found = self._word_keys(strings[orth])
                        if len(cache) < 500_000:
                            cache[orth] = found
                    for key in found:
                        hits[tok_sent[t]].add(key)
                        if ctx:
                            spans.append((key, t, t + 1))
            if ctx:
                for k, extra in enumerate(self.context.keys(doc, len(sents), tok_sent, spans)):
                    hits[k] |= extra
            line, counted = block.line, 0  # sentences come in text order: count line breaks once
            for k, sent in enumerate(sents):
                text = sent.text.strip()
                if not text:
                    continue
                line += block.text.count("\n", counted, sent.start_char)
                counted = sent.start_char
                skip = 0
                if sent.start_char and block.text[sent.start_char - 1] in ".?!)]":
                    glued = _GLUED_CITATION.match(text)
                    if glued and glued.end() < len(text):
                        skip = glued.end()
                        text = text[skip:]
                column = None
                if block.offset is not None and not document.lines_are_meaningful:
                    column = block.offset + sent.start_char + skip + 1
                out.append(Sentence(si, text, line, column, frozenset(hits[k]), block.page))
        if self.model is not None and out:
            # A sentence of fewer than four words reports no item; leaving it unscored keeps
            # pathological input (100,000 one-word lines) linear and cheap.
            keep = [i for i, s in enumerate(out) if s.text.count(" ") >= MIN_SCORED_WORDS - 1]
            rows = self.model.scores([model_text(document.sections[out[i].section].kind, out[i].text) for i in keep])
            for row, i in zip(rows, keep):
                s = out[i]
                out[i] = Sentence(s.section, s.text, s.line, s.column, s.cues, s.page, row)
        return out

    def _word_keys(self, word: str) -> tuple[str, ...]:
        """Cue keys of the one-word regular expressions a word matches (cached by the caller)."""
        return tuple(key for key, attr, rx in self._word_regexes
                     if rx.search(word.lower() if attr == "LOWER" else word))

    # -- verdicts ----------------------------------------------------------------------
    def check(self, document: Document, sents: list[Sentence] | None = None) -> Report:
        """All verdicts for one document (``sents``: its sentences, when already split)."""
        if sents is None:
            sents = self.sentences(document)
        by_section: dict[int, list[Sentence]] = {}
        for s in sents:
            by_section.setdefault(s.section, []).append(s)
        memo: dict[tuple, list[int]] = {}  # section order per (sections, exclusions, preference)
        verdicts = [self._verdict(c, document, by_section, memo) for c in self._compiled]
        g = self.ruleset.guideline
        return Report(document, g.id, g.version, g.title, verdicts, assess(document))

    def _verdict(self, comp: _Compiled, doc: Document, by_section: dict[int, list[Sentence]],
                 memo: dict[tuple, list[int]]) -> Verdict:
        spec = comp.rule.spec
        na = _not_applicable(spec, doc)
        if na:
            return Verdict(spec.id, spec.topic, spec.title, Status.NOT_APPLICABLE, spec.severity, [], na, "")
        found: list[tuple[str, list[Evidence]]] = []
        searched: dict[str, None] = {}  # an ordered set: thousands of headings stay linear
        # Which sentence to quote first (the item's ``rank_evidence``): with the learned model,
        # the qualifying sentence that reads most like the item's labelled sentences ("model"),
        # or the best of the rule's first satisfied signal ("tiers"); else the rule's order.
        rank = (self.model.index.get(spec.id) if self.model is not None and spec.rank_evidence != "rule"
                else None)
        tiers = spec.rank_evidence == "tiers"
        for part in spec.parts:
            ev: list[Evidence] = []
            # Every signal where the rule looks first; only when none is satisfied there,
            # the fallback (the rest of the text) for every signal.
            for widen in (False, True):
                if ev or (widen and spec.fallback == "none"):
                    break
                pool: list[tuple[float, Evidence]] = []
                for tier, sig in enumerate(part.evidence):
                    hits, where = self._signal(sig, spec, comp.keys, doc, by_section, memo, widen, rank)
                    searched.update(dict.fromkeys(where))
                    pool.extend(((score - tier, e) for score, e in hits) if tiers else hits)
                    if rank is None and len({e.quote for _, e in pool}) >= spec.max_evidence:
                        break
                if rank is not None:
                    pool.sort(key=lambda h: -h[0])  # stable: ties keep the rule's order
                for _, h in pool:
                    if len(ev) < spec.max_evidence and all(h.quote != e.quote for e in ev):
                        ev.append(h)
            found.append((part.name, ev))
        have = [name for name, ev in found if ev]
        lacking = [name for name, ev in found if not ev]
        need = spec.reported_when or len(found)
        evidence = _merge_evidence(found, spec.max_evidence)
        if len(have) >= need:
            status = Status.REPORTED
            message = "reported" if len(found) == 1 else f"reported: {', '.join(have)}"
            if lacking and len(found) > 1:
                message += f" (not found: {', '.join(lacking)})"
        elif have and spec.partial:
            status = Status.PARTIAL
            message = f"{_join(have)} given; {_join(lacking)} missing"
        else:
            status = Status.MISSING
            message = "not found in: " + _few(list(searched))
            if have:  # the message leads with what is missing, so it agrees with the mark
                needed = ({2: "both", 3: "all three", 4: "all four"}.get(need, f"all {need}") if need == len(found)
                          else f"{need} of the {len(found)}")
                message = (f"{_join(lacking)} missing ({_join(have)} given, but {needed} are needed); "
                           + message)
        return Verdict(spec.id, spec.topic, spec.title, status, spec.severity, evidence, message,
                       spec.fix if status != Status.REPORTED else "", list(searched))

    def _signal(self, sig: Signal, spec: ItemSpec, keys: dict[str, str], doc: Document,
                by_section: dict[int, list[Sentence]], memo: dict[tuple, list[int]],
                widen: bool = False, rank: int | None = None) -> tuple[list[tuple[float, Evidence]], list[str]]:
        """Evidence for one signal where the rule looks (or, widened, in the rest of the text),
        each with its learned score for label ``rank`` (0 when not ranked)."""
        names = sig.sections or spec.sections
        excluded = set(spec.not_sections) | set(sig.not_sections) | _ALWAYS_EXCLUDED
        if spec.applies == "body":
            excluded |= {"front"}
        memo_key = (names, frozenset(excluded), spec.prefer)
        preferred = memo.get(memo_key)
        if preferred is None:
            preferred = memo[memo_key] = _ordered_sections(doc, names, excluded, spec.prefer == "last")
        searched = _describe(doc, preferred)
        if sig.heading:
            if widen:
                return [], []
            ev = []
            for i, sec in enumerate(doc.sections):
                if sec.kind in sig.heading and sec.has_text and not (sec.labels & excluded):
                    first = by_section.get(i, [])
                    quote = _clip(first[0].text) if first else _clip(sec.heading)
                    line = first[0].line if first else sec.line
                    score = (float(first[0].scores[rank]) if rank is not None and first
                             and first[0].scores is not None else 0.0)
                    ev.append((score, Evidence(quote, _section_name(sec), line, first[0].column if first else None,
                                               page=first[0].page if first else None)))
                    break
            return ev, searched
        need_all = {keys[n] for n in sig.all}
        need_any = {keys[n] for n in sig.any}
        veto = {keys[n] for n in sig.none} | {keys[n] for n in spec.negations}
        if sig.affirmed:
            veto |= {f"neg:{k}" for k in need_all}
        # with `affirmed`, an `any` cue counts only where it is not negated
        affirm_any = need_any if sig.affirmed else set()
        ctx_need = tuple(frozenset(f"{kind}:{v}" for v in vals)
                         for kind, vals in (("about", sig.about), ("when", sig.when)) if vals)
        late = spec.prefer == "last"
        learned: tuple[int, float, bool] | None = None
        has_model = self.model is not None and spec.id in self.model.index
        if sig.model is not None:
            # Without the model (rules alone) a signal that asks for its score finds nothing.
            if not has_model:
                return [], searched
            learned = (self.model.index[spec.id], self.thresholds.get(spec.id, sig.model), True)
        else:
            floor = self.floors.get(spec.id, spec.model_floor)
            if floor and has_model:
                learned = (self.model.index[spec.id], floor, False)
        if not widen:
            return _scan(preferred, by_section, doc, need_all, need_any, veto, sig.last, late, learned,
                         ctx_need, affirm_any, rank), searched
        if spec.fallback == "none" or (spec.fallback == "unstructured" and preferred):
            return [], []
        taken = set(preferred)
        rest = [i for i in range(len(doc.sections)) if i not in taken and not (doc.sections[i].labels & excluded)]
        ev = _scan(rest[::-1] if late else rest, by_section, doc, need_all, need_any, veto, None, late, learned,
                   ctx_need, affirm_any, rank)
        return ev, ["rest of the text"] if rest else []


_EXPANDABLE = ("LOWER", "ORTH", "TEXT", "NORM")


def _single_word_regex(pattern: list[dict]) -> tuple[str, re.Pattern[str]] | None:
    """``[{TEXT|ORTH|LOWER: {REGEX: r}}]`` as (attribute, compiled regex), else None.

    A one-word regular expression depends only on the word, so the engine tests it once
    per distinct word and caches the answer, instead of letting the Matcher call it at
    every token of every document (the costliest thing a rule could otherwise add).
    """
    if len(pattern) != 1 or len(pattern[0]) != 1:
        return None
    (attr, test), = pattern[0].items()
    if attr.upper() not in ("TEXT", "ORTH", "LOWER") or not isinstance(test, dict) or set(test) != {"REGEX"}:
        return None
    try:
        return ("LOWER" if attr.upper() == "LOWER" else "TEXT"), re.compile(test["REGEX"])
    except re.error:
        return None


def _expand_first_token(pattern: list[dict]) -> list[list[dict]]:
    """Split a pattern whose first token is ``{ATTR: {IN: [...]}}`` into one pattern per value.

    spaCy's Matcher tries every pattern's first token at every token of the text; an exact
    attribute test there is done in C, a set predicate is a Python call. Expanding keeps
    the YAML short and the matching cheap.
    """
    if not pattern:
        return [pattern]
    first = pattern[0]
    if first.get("OP") not in (None, "1") or len(first) != 1:
        return [pattern]
    (attr, test), = first.items()
    if attr.upper() not in _EXPANDABLE or not isinstance(test, dict) or set(test) != {"IN"}:
        return [pattern]
    values = test["IN"]
    if not isinstance(values, list) or len(values) > 60:
        return [pattern]
    return [[{attr: v}, *pattern[1:]] for v in values]


def _scan(section_ids: Iterable[int], by_section: dict[int, list[Sentence]], doc: Document,
          need_all: set[str], need_any: set[str], veto: set[str], last: int | None = None,
          late: bool = False, learned: tuple[int, float, bool] | None = None,
          ctx_need: tuple[frozenset[str], ...] = (), affirm_any: set[str] = frozenset(),
          rank: int | None = None) -> list[tuple[float, Evidence]]:
    """Sentences satisfying a signal, in the order of the sections given; within a section
    in text order, or from the end when the item prefers late evidence. ``learned`` is
    (label index, threshold, is the signal itself) when the model's score is asked for:
    as the signal (evidence says so) or as the item's floor (a veto). With ``rank`` (a
    label index) each sentence comes with its score for that label, and every qualifying
    sentence is returned (up to a cap) so that the caller can quote the best first."""
    out: list[tuple[float, Evidence]] = []
    limit = 5 if rank is None else 200
    for i in section_ids:
        sents = by_section.get(i, [])
        sents = sents[-last:] if last else sents
        for s in reversed(sents) if late else sents:
            c = s.cues
            if (need_all <= c and (not need_any or need_any & c) and not (veto & c)
                    and (learned is None or (s.scores[learned[0]] >= learned[1] if s.scores is not None
                                             else not learned[2]))  # unscored: a floor does not veto
                    and all(need & c for need in ctx_need)
                    and (not affirm_any or any(k in c and f"neg:{k}" not in c for k in affirm_any))):
                via = f"learned score {s.scores[learned[0]]:.2f}" if learned and learned[2] else None
                score = float(s.scores[rank]) if rank is not None and s.scores is not None else 0.0
                out.append((score, Evidence(_clip(s.text), _section_name(doc.sections[i]), s.line, s.column,
                                            page=s.page, via=via)))
                if len(out) >= limit:
                    return out
    return out


def _ordered_sections(doc: Document, names: tuple[str, ...], excluded: set[str], late: bool = False) -> list[int]:
    """Section indices in the rule's order of preference, then text order (or reverse)."""
    rank = {n: k for k, n in enumerate(names)}
    picked = []
    for i, sec in enumerate(doc.sections):
        if sec.labels & excluded:
            continue
        r = min((rank[label] for label in sec.labels if label in rank), default=None)
        if r is not None:
            picked.append((r, -i if late else i))
    return [abs(i) for _, i in sorted(picked)]


def _describe(doc: Document, ids: list[int]) -> list[str]:
    return list(dict.fromkeys(_section_name(doc.sections[i]) for i in ids))


def _section_name(sec: Section) -> str:
    return sec.heading.strip() or sec.kind.replace("_", " ")


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"


def _merge_evidence(found: list[tuple[str, list[Evidence]]], limit: int) -> list[Evidence]:
    """For one component, its best sentences; for several, the best sentence of each."""
    if len(found) == 1:
        return found[0][1][:limit]
    out: list[Evidence] = []
    for name, ev in found:
        if ev and len(out) < limit and all(ev[0].quote != e.quote for e in out):
            e = ev[0]
            out.append(Evidence(e.quote, e.section, e.line, e.column, name, e.page, e.via))
    return out


MAX_NAMED_SECTIONS = 4  # section names a "not found in" message spells out


def _few(names: list[str]) -> str:
    """A few section names, each once whatever its case, and how many more were searched."""
    if not names:
        return "the document"
    seen: dict[str, str] = {}
    for name in names:
        clean = " ".join(name.split())
        seen.setdefault(clean.casefold(), clean)
    unique = list(seen.values())
    if len(unique) <= MAX_NAMED_SECTIONS:
        return ", ".join(unique)
    rest = len(unique) - MAX_NAMED_SECTIONS + 1
    return ", ".join(unique[: MAX_NAMED_SECTIONS - 1]) + f" and {rest} more sections"


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _not_applicable(spec: ItemSpec, doc: Document) -> str:
    if spec.applies == "front" and doc.scope == "body":
        return "not applicable: the file has no front matter (no title, abstract or keywords)"
    if spec.applies == "body" and doc.scope == "abstract":
        return "not applicable: the file holds only the front matter; the body is not in it"
    return ""

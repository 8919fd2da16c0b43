"""The generic matcher: compiles a rule set once, then checks documents.

Every cue group of every rule is compiled into one phrase table (literal phrases) and one
set of token patterns (spaCy's Matcher syntax), so a document is tokenized and matched
once, whatever the number of rules, and with array operations over all its tokens. Each
sentence then knows which cue groups it holds, and each rule is a cheap set test over the
sentences of the sections it looks in.
"""

from __future__ import annotations

import json
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Iterator

import numpy
from spacy.attrs import IS_SPACE, LENGTH, LOWER, ORTH
from spacy.matcher import Matcher
from spacy.strings import get_string_id

from .chunktok import ChunkTokenizer
from .context import ContextMatcher
from .errors import RuleError
from .genre import assess
from .learned import SentenceModel, folded_keys, load_model, model_words
from .model import Document, Evidence, Report, Section, Status, Verdict
from .nlp import BREAKER_IDS, get_nlp, walk_starts
from .phrases import PhraseTable, phrase_ids
from .ruleset import Cue, ItemSpec, Rule, Ruleset, Signal
from .tokenpatterns import TokenPatterns, compile_pattern

QUOTE_CHARS = 300
MIN_SCORED_WORDS = 4  # the learned model scores sentences of at least this many words
# Taken off the ranking key of a sentence an item quotes last (``quote_last``): more than
# any score (0..1) and signal tier can add, so such a sentence leads only when it is alone.
QUOTED_LAST = 100.0
# A citation superscript flattened into the text ("... Duke's criteria.2 The patient was
# started ...") starts the next sentence: it belongs to the one before, not to the quote.
_GLUED_CITATION = re.compile(r"\d{1,3}(?:\s?[,\u2013-]\s?\d{1,3})*\s+(?=[A-Z])")
# No-break and thin spaces would stand as tokens of their own between a number and its
# unit ("5 mg"); they are read as plain spaces, one for one, so offsets stay true.
_ODD_SPACES = "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_SPACES = str.maketrans({c: " " for c in _ODD_SPACES})
_ANY_ODD_SPACE = re.compile("[" + _ODD_SPACES + "]")
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
    _scorer: Any = field(default=None, repr=False, compare=False)
    _index: int = field(default=-1, repr=False, compare=False)

    @property
    def scores(self) -> Any:
        """The learned model's row of item scores (None: no model, or under four words),
        computed for the whole document when a rule first asks for one."""
        return None if self._scorer is None else self._scorer.row(self._index)


class _LazyScores:
    """The learned model's scores for one document's sentences, computed in one batch when
    a rule first asks for one: a document whose rules never reach a learned signal is
    never scored. The model's words are read off the document's own tokens (no second
    tokenization)."""

    def __init__(self, model: SentenceModel | None, document: Document, sents: list[Sentence],
                 tokens: "_SentenceTokens") -> None:
        self.model, self.document, self.sents = model, document, sents  # sents: filled by the caller
        self.tokens = tokens
        self.rows: dict[int, Any] | None = None

    def row(self, i: int) -> Any:
        if self.rows is None:
            # A sentence of fewer than four words reports no item; leaving it unscored keeps
            # pathological input (100,000 one-word lines) linear and cheap.
            keep = [j for j, s in enumerate(self.sents) if s.text.count(" ") >= MIN_SCORED_WORDS - 1]
            if keep and self.model is not None:
                kinds = [self.document.sections[self.sents[j].section].kind for j in keep]
                if self.model.reads_hashes:
                    scores = self.model.scores_of_keys(*self.tokens.keys(keep, kinds))
                else:  # another architecture: the same words, as strings
                    scores = self.model.scores_of_words([self.tokens.words(j, k) for j, k in zip(keep, kinds)])
                # Python lists: a rule reads single scores, and a list is read faster than an array
                # (the same numbers: each float32 score is exactly a Python float).
                self.rows = dict(zip(keep, scores.tolist()))
            else:
                self.rows = {}
        return self.rows.get(i)


class _SentenceTokens:
    """Where each sentence's tokens lie in the document's token table, kept for the learned
    model: its words are those tokens' lower-case forms with digits folded
    (:func:`care_check.learned.model_words`), read here as hashes."""

    def __init__(self, texts: list[str], lower: numpy.ndarray, idx: numpy.ndarray, length: numpy.ndarray,
                 offsets: numpy.ndarray) -> None:
        self.texts, self.lower, self.idx, self.length, self.offsets = texts, lower, idx, length, offsets
        self.firsts: list[int] = []  # per sentence: its first token and the token after its last
        self.ends: list[int] = []

    def add(self, first: int, end: int, begin: int, finish: int, idx: list[int]) -> None:
        """A sentence whose text runs from character ``begin`` to ``finish`` of its block,
        among the tokens ``first`` .. ``end`` (``idx``: each token's start in its block)."""
        while first < end and idx[first] < begin:
            first += 1
        while end > first and idx[end - 1] >= finish:
            end -= 1
        self.firsts.append(first)
        self.ends.append(end)

    def _keys(self) -> numpy.ndarray:
        """Every token's model word hash: its LOWER hash, or for the few holding a digit,
        the hash of its folded text (the blocks read as one text, one search for digits)."""
        starts = numpy.zeros(len(self.texts), dtype="int64")
        numpy.cumsum([len(t) + 1 for t in self.texts[:-1]], out=starts[1:])
        sizes = numpy.diff(self.offsets)
        at = self.idx.astype("int64") + numpy.repeat(starts, sizes)
        return folded_keys(self.lower, at, self.length, "\n".join(self.texts))

    def keys(self, which: list[int], kinds: list[str]) -> tuple[numpy.ndarray, numpy.ndarray]:
        """(the model words' hashes of sentences ``which``, sentence after sentence; words per
        sentence): the section kind's word, then the tokens'."""
        first = numpy.array([self.firsts[j] for j in which], dtype="int64")
        n = numpy.array([self.ends[j] for j in which], dtype="int64") - first
        sizes = n + 1
        begins = numpy.cumsum(sizes) - sizes  # where each sentence's words start in the output
        out = numpy.empty(int(sizes.sum()), dtype="uint64")
        out[begins] = [_kind_key(k) for k in kinds]
        words = numpy.ones(len(out), dtype=bool)
        words[begins] = False
        out[words] = self._keys()[numpy.flatnonzero(words) - numpy.repeat(begins + 1 - first, n)]
        return out, sizes

    def words(self, j: int, kind: str) -> list[str]:
        """Sentence ``j`` as the model reads it, as strings (for training)."""
        first, end = self.firsts[j], self.ends[j]
        b = int(numpy.searchsorted(self.offsets, first, side="right")) - 1
        text = self.texts[b]
        toks = [text[a: a + n] for a, n in zip(self.idx[first:end].tolist(), self.length[first:end].tolist())]
        return model_words(kind, toks)


@lru_cache(maxsize=256)
def _kind_key(kind: str) -> int:
    return get_string_id(f"sec_{kind}")


@dataclass
class _Compiled:
    rule: Rule
    keys: dict[str, str]  # cue name as written in the rule -> matcher key
    plans: dict[tuple[int, int], _Plan] = field(default_factory=dict)  # (part, signal) -> compiled signal
    parts: tuple = ()  # the rule's components (``spec.parts`` builds them anew at each call)


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
        uses_context = any(r.spec.quote_last for r in ruleset.rules) or any(
            sig.affirmed or sig.about or sig.when for r in ruleset.rules for part in r.spec.parts
            for sig in part.evidence)
        self.context: ContextMatcher | None = ContextMatcher.build(self.nlp) if uses_context else None
        # Per-item thresholds and floors that replace the rules' own (for tuning only).
        self.thresholds: dict[str, float] = {}
        self.floors: dict[str, float] = {}
        self._phrases = PhraseTable()  # literal phrases, on LOWER
        self._phrases_cased = PhraseTable()  # case-sensitive ones, on ORTH
        self._tokens = TokenPatterns()  # token patterns, matched with array operations
        self._patterns = Matcher(self.nlp.vocab, validate=True)  # those outside its subset
        self._n_patterns = 0
        self._n_spacy_patterns = 0
        # The same cue written in two rules (10c and 10d share some) is matched once.
        self._seen: dict[str, str] = {}
        self._phrase_ids = phrase_ids(self.nlp.tokenizer, [p for cues in [ruleset.cues] + [r.spec.cues for r in ruleset.rules]
                                                           for cue in cues.values() for p in cue.phrases])
        for name, cue in ruleset.cues.items():
            self._add(name, cue, str(ruleset.root) + "/cues.yaml", None)
        self._compiled: list[_Compiled] = []
        for rule in ruleset.rules:
            keys: dict[str, str] = {name: name for name in ruleset.cues}
            for name, cue in rule.spec.cues.items():
                keys[name] = self._add(f"{rule.spec.id}/{name}", cue, rule.path, rule.spec.id)
            parts = rule.spec.parts
            plans = {(pi, si): _Plan.of(sig, rule.spec, keys) for pi, part in enumerate(parts)
                     for si, sig in enumerate(part.evidence)}
            self._compiled.append(_Compiled(rule, keys, plans, parts))
        # What can exclude a section from every signal: a section all of them exclude is
        # never read, so its sentences are split but not matched.
        self._exclusions = {frozenset(_excluded(r.spec, sig)) for r in ruleset.rules
                            for part in r.spec.parts for sig in part.evidence}
        attrs = [ORTH, IS_SPACE, LOWER, LENGTH] + [a for a in self._tokens.attr_ids if a not in (ORTH, IS_SPACE, LOWER, LENGTH)]
        self._columns = {name: attrs.index(a) for name, a in zip(self._tokens.attrs, self._tokens.attr_ids)}
        # rows: these attributes, the token patterns' string tests (decided once per chunk), IDX
        self._chunks = ChunkTokenizer(self.nlp.tokenizer, attrs, self._token_bits if self._tokens.n_bits else None,
                                      self._tokens.n_bits)
        self._bits = slice(len(attrs), len(attrs) + self._tokens.n_bits)

    def _token_bits(self, rows: numpy.ndarray) -> numpy.ndarray:
        columns = {name: rows[:, i] for name, i in self._columns.items()}
        return self._tokens.bits(columns, self.nlp.vocab.strings)

    def _add(self, key: str, cue: Cue, path: str, rule_id: str | None) -> str:
        """Compile one cue under ``key`` (or reuse an identical one); return its matcher key."""
        ident = json.dumps(cue.model_dump(), sort_keys=True)
        if ident in self._seen:
            return self._seen[ident]
        self._seen[ident] = key
        if cue.phrases:
            table, col = (self._phrases_cased, 1) if cue.case_sensitive else (self._phrases, 0)
            for p in cue.phrases:
                table.add(key, self._phrase_ids[p][col])
        for p in cue.patterns:
            pattern = list(p)
            try:  # spaCy's validation, so a bad pattern gets spaCy's message wherever it is matched
                Matcher(self.nlp.vocab, validate=True).add(key, [pattern])
            except (ValueError, KeyError, TypeError) as exc:
                msg = str(exc).strip().splitlines()
                raise RuleError(path, f"bad token pattern: {msg[-1] if msg else exc}", rule_id,
                                f"cues.{key.split('/')[-1]}.patterns") from None
            variants = compile_pattern(pattern)
            if variants is not None:
                self._tokens.add(key, variants)
            else:
                expanded = _expand_first_token(pattern)
                self._patterns.add(key, expanded)
                self._n_spacy_patterns += len(expanded)
            self._n_patterns += 1
        return key

    # -- sentences ---------------------------------------------------------------------
    def sentences(self, document: Document) -> list[Sentence]:
        """Split every block into sentences and record the cue groups each one holds.

        The document is handled as one run of tokens (:mod:`care_check.chunktok`: spaCy's
        tokens, as arrays): sentence starts, phrases, token patterns and sentence ids are
        array operations over all of them, and Python only visits matches, sentence starts
        and candidate breaks.
        """
        with _memory_zone(self.nlp):
            return self._sentences(document)

    def model_inputs(self, document: Document) -> list[tuple[Sentence, list[str]]]:
        """Every sentence with what the learned model reads of it (:func:`model_words` of its
        tokens in the document): how training builds its examples, so it sees exactly the
        words the checker will score."""
        with _memory_zone(self.nlp):
            sents = self._sentences(document, keep_tokens=True)
            if not sents:
                return []
            toks = sents[0]._scorer.tokens
            return [(s, toks.words(i, document.sections[s.section].kind)) for i, s in enumerate(sents)]

    def _sentences(self, document: Document, keep_tokens: bool = False) -> list[Sentence]:
        jobs = [(si, block) for si, sec in enumerate(document.sections) for block in sec.blocks
                if block.text.strip()]
        if not jobs:
            return []
        texts = [_plain_spaces(b.text) for _, b in jobs]
        table, sizes = self._chunks(texts)
        offsets = numpy.zeros(len(sizes) + 1, dtype="int64")
        numpy.cumsum(sizes, out=offsets[1:])
        n_tokens = int(offsets[-1])
        strings = self.nlp.vocab.strings
        attrs = self._chunks.attrs
        orth, lower = table[:, attrs.index(ORTH)], table[:, attrs.index(LOWER)]
        starts = self._sentence_starts(orth, table[:, attrs.index(IS_SPACE)], table[:, -1], table[:, attrs.index(LENGTH)],
                                       offsets, texts)
        sent_of = numpy.cumsum(starts) - 1  # each token's sentence number
        firsts = numpy.flatnonzero(starts).tolist()
        n_sents = len(firsts)
        readable = [self._readable(document.sections[si]) for si, _ in jobs]
        allowed = None if all(readable) else numpy.repeat(numpy.array(readable, dtype=bool), sizes)
        block = numpy.repeat(numpy.arange(len(texts)), sizes)
        found = self._phrases.match(lower, block, allowed)  # (cue keys, start, end) over the document's tokens
        found += self._phrases_cased.match(orth, block, allowed)
        if self._tokens.n_patterns:
            columns = {name: table[:, i] for name, i in self._columns.items()}
            found += self._tokens.match(columns, block, strings, allowed, table[:, self._bits])
        if self._n_spacy_patterns:  # patterns outside the array matcher's subset: spaCy's, block by block
            for b, doc in enumerate(self.nlp.tokenizer.pipe(texts)):
                if readable[b]:
                    off = int(offsets[b])
                    found.extend(((strings[m],), s + off, e + off) for m, s, e in self._patterns(doc))
        hits: list[set[str]] = [set() for _ in range(n_sents)]
        if found:
            where = sent_of[[s for _, s, _ in found]].tolist()
            for (keys, _, _), k in zip(found, where):
                hits[k].update(keys)
        if self.context is not None:
            triggers = self.context.matcher.match(lower, block, allowed)
            for k, extra in enumerate(self.context.keys(triggers, found, n_sents, sent_of.tolist())):
                hits[k] |= extra
        out: list[Sentence] = []
        idx_col = table[:, -1]
        toks = None
        if self.model is not None or keep_tokens:
            toks = _SentenceTokens(texts, table[:, attrs.index(LOWER)], idx_col, table[:, attrs.index(LENGTH)], offsets)
        scorer = _LazyScores(self.model, document, out, toks) if toks is not None else None
        idx = idx_col.tolist()
        firsts.append(n_tokens)
        k = 0
        for b, (si, block) in enumerate(jobs):
            text, end = texts[b], int(offsets[b + 1])
            line, counted = block.line, 0  # sentences come in text order: count line breaks once
            while firsts[k] < end:
                start_char = idx[firsts[k]]
                stop = firsts[k + 1]
                raw = text[start_char: idx[stop] if stop < end else len(text)]
                sent = raw.strip()
                if sent:
                    line += block.text.count("\n", counted, start_char)
                    counted = start_char
                    skip = 0
                    if start_char and block.text[start_char - 1] in ".?!)]":
                        glued = _GLUED_CITATION.match(sent)
                        if glued and glued.end() < len(sent):
                            skip = glued.end()
                            sent = sent[skip:]
                    column = None
                    if block.offset is not None and not document.lines_are_meaningful:
                        column = block.offset + start_char + skip + 1
                    if toks is not None:
                        lead = len(raw) - len(raw.lstrip())
                        toks.add(firsts[k], min(stop, end), start_char + lead + skip,
                                 start_char + len(raw.rstrip()), idx)
                    out.append(Sentence(si, sent, line, column, frozenset(hits[k]), block.page, scorer, len(out)))
                k += 1
        return out

    def _readable(self, section: Section) -> bool:
        labels = section.labels
        return any(not (labels & ex) for ex in self._exclusions)

    def _sentence_starts(self, orth: numpy.ndarray, is_space: numpy.ndarray, idx: numpy.ndarray,
                         length: numpy.ndarray, offsets: numpy.ndarray, texts: list[str]) -> numpy.ndarray:
        """Sentence starts of every block, side by side (see :func:`care_check.nlp.start_flags`).
        A token's text is read from its block (offset and length), not from spaCy's string
        store: a remembered chunk's words need not be in it."""
        n = len(orth)
        can = is_space == 1
        for w in BREAKER_IDS:
            can |= orth == w
        can[offsets[1:] - 1] = False  # a block's last token starts nothing after it
        after = (numpy.flatnonzero(can) + 1).tolist()
        at, size = idx.tolist(), length.tolist()
        starts = numpy.zeros(n, dtype=bool)
        lo = 0
        for b, text in enumerate(texts):
            off, end = int(offsets[b]), int(offsets[b + 1])
            hi = lo
            while hi < len(after) and after[hi] < end:
                hi += 1
            local = [i - off for i in after[lo:hi]]
            lo = hi

            def word(i: int, off: int = off, text: str = text) -> str:
                return text[at[off + i]: at[off + i] + size[off + i]]

            starts[off:end] = walk_starts(end - off, local, word, lambda i, word=word: "\n" in word(i - 1),
                                          idx[off:end], text)
        return starts

    # -- verdicts ----------------------------------------------------------------------
    def check(self, document: Document, sents: list[Sentence] | None = None) -> Report:
        """All verdicts for one document (``sents``: its sentences, when already split)."""
        with _memory_zone(self.nlp):
            if sents is None:
                sents = self._sentences(document)
            view = _View(document, sents)
            verdicts = [self._verdict(c, view) for c in self._compiled]
        g = self.ruleset.guideline
        return Report(document, g.id, g.version, g.title, verdicts, assess(document))

    def _verdict(self, comp: _Compiled, view: _View) -> Verdict:
        spec, doc = comp.rule.spec, view.doc
        na = _not_applicable(spec, doc)
        if na:
            return Verdict(spec.id, spec.topic, spec.title, Status.NOT_APPLICABLE, spec.severity, [], na, "")
        found: list[tuple[str, list[Evidence]]] = []
        searched: dict[str, None] = {}  # an ordered set: thousands of headings stay linear
        # Which sentence to quote first (the item's ``rank_evidence``): with the learned model,
        # the qualifying sentence that reads most like the item's labelled sentences ("model"),
        # or the best of the rule's first satisfied signal ("tiers"); else the rule's order.
        # Ranked, the key also holds ``rank_order`` (here), ``rank_story`` and ``quote_last``
        # (in _scan); several components quote their best-ranked lead first (_merge_evidence).
        rank = (self.model.index.get(spec.id) if self.model is not None and spec.rank_evidence != "rule"
                else None)
        tiers = spec.rank_evidence == "tiers"
        leads: list[float] = []  # each component's best ranking key (ranked items only)
        for pi, part in enumerate(comp.parts):
            ev: list[Evidence] = []
            lead = float("-inf")
            # Every signal where the rule looks first; only when none is satisfied there,
            # the fallback (the rest of the text) for every signal.
            for widen in (False, True):
                if ev or (widen and spec.fallback == "none"):
                    break
                pool: list[tuple[float, _Hit]] = []
                for tier, sig in enumerate(part.evidence):  # signals are listed strongest first
                    hits, where = self._signal(sig, spec, comp.plans[pi, tier], view, widen, rank)
                    searched.update(dict.fromkeys(where))
                    pool.extend(((score - tier, e) for score, e in hits) if tiers else hits)
                    if rank is None and len({h.evidence.quote for _, h in pool}) >= spec.max_evidence:
                        break
                if rank is not None:
                    if spec.rank_order and pool:  # the rule's order counts too: first 0, last -rank_order
                        step = spec.rank_order / len(pool)
                        pool = [(score - j * step, e) for j, (score, e) in enumerate(pool)]
                    pool.sort(key=lambda h: -h[0])  # stable: ties keep the rule's order
                    if pool:
                        lead = pool[0][0]
                for _, hit in pool:
                    if len(ev) >= spec.max_evidence:
                        break
                    h = hit.evidence
                    if all(h.quote != e.quote for e in ev):
                        ev.append(h)
            found.append((part.name, ev))
            leads.append(lead)
        have = [name for name, ev in found if ev]
        lacking = [name for name, ev in found if not ev]
        need = spec.reported_when or len(found)
        # A reported item leads with its best-ranked component's sentence; a partial or missing
        # one lists what was found in the order its message names it.
        evidence = _merge_evidence(found, spec.max_evidence,
                                   leads if rank is not None and len(have) >= need else None)
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

    def _signal(self, sig: Signal, spec: ItemSpec, plan: _Plan, view: _View, widen: bool = False,
                rank: int | None = None) -> tuple[list[tuple[float, "_Hit"]], list[str]]:
        """Evidence for one signal where the rule looks (or, widened, in the rest of the text),
        each with its learned score for label ``rank`` (0 when not ranked)."""
        doc = view.doc
        preferred, searched = view.preferred(plan.names, plan.excluded, spec.prefer == "last")
        if sig.heading:
            if widen:
                return [], []
            ev = []
            for i, sec in enumerate(doc.sections):
                if sec.kind in sig.heading and not (view.labels[i] & plan.excluded) and view.has_text(i):
                    first = view.by_section.get(i, [])
                    quote = _clip(first[0].text) if first else _clip(sec.heading)
                    line = first[0].line if first else sec.line
                    score = (float(first[0].scores[rank]) if rank is not None and first
                             and first[0].scores is not None else 0.0)
                    ev.append((score, _Hit(None, None, evidence=Evidence(
                        quote, _section_name(sec), line, first[0].column if first else None,
                        page=first[0].page if first else None))))
                    break
            return ev, searched
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
            return _scan(preferred, view, plan, sig.last, late, learned, rank), searched
        if spec.fallback == "none" or (spec.fallback == "unstructured" and preferred):
            return [], []
        taken = set(preferred)
        rest = [i for i in range(len(doc.sections)) if i not in taken and not (view.labels[i] & plan.excluded)]
        if sig.last:
            # A signal bound to where its sections end (``last``) reads, widened, where the
            # main text ends: its last sentences, captions and back matter (declarations,
            # consent, funding) left out, not every sentence of the rest of the text.
            ev, left = [], sig.last
            for i in reversed(rest):
                sec = doc.sections[i]
                n = len(view.by_section.get(i, ()))
                if left <= 0:
                    break
                if not n or sec.group == "back" or sec.kind == "caption":
                    continue
                ev.extend(_scan([i], view, plan, min(n, left), late, learned, rank))
                left -= n
            return ev, ["end of the text"] if rest else []
        ev = _scan(rest[::-1] if late else rest, view, plan, None, late, learned, rank)
        return ev, ["rest of the text"] if rest else []


@dataclass(frozen=True)
class _Plan:
    """One signal of one rule, compiled to matcher keys once."""

    names: tuple[str, ...]  # where to look, best first
    excluded: frozenset[str]
    need_all: frozenset[str]
    need_any: frozenset[str]
    veto: frozenset[str]
    ctx_need: tuple[frozenset[str], ...]  # each: the sentence holds one of these context keys
    affirm_any: frozenset[str]  # with `affirmed`: an `any` cue counts only where it is not negated
    last: frozenset[str] = frozenset()  # context or cue keys whose sentences are quoted last (``quote_last``, ``quote_after``)
    story: float = 0.0  # the item's ``rank_story``

    @classmethod
    def of(cls, sig: Signal, spec: ItemSpec, keys: dict[str, str]) -> "_Plan":
        need_all = frozenset(keys[n] for n in sig.all)
        need_any = frozenset(keys[n] for n in sig.any)
        veto = {keys[n] for n in sig.none} | {keys[n] for n in spec.negations}
        if sig.affirmed:
            veto |= {f"neg:{k}" for k in need_all}
        ctx_need = tuple(frozenset(f"{kind}:{v}" for v in vals)
                         for kind, vals in (("about", sig.about), ("when", sig.when)) if vals)
        return cls(sig.sections or spec.sections, frozenset(_excluded(spec, sig)), need_all, need_any,
                   frozenset(veto), ctx_need, need_any if sig.affirmed else frozenset(),
                   frozenset(f"about:{c}" for c in spec.quote_last) | frozenset(keys[n] for n in spec.quote_after),
                   spec.rank_story)

    def possible(self, cues: frozenset[str]) -> bool:
        """Whether a section holding these cues (all its sentences' together) may satisfy it."""
        return (self.need_all <= cues and (not self.need_any or not self.need_any.isdisjoint(cues))
                and all(not need.isdisjoint(cues) for need in self.ctx_need)
                and (not self.affirm_any or not self.affirm_any.isdisjoint(cues)))


class _View:
    """One document as the verdicts read it: sentences by section, each section's labels
    and cues, and the section orders the rules ask for (computed once per document)."""

    def __init__(self, doc: Document, sents: list[Sentence]) -> None:
        self.doc = doc
        self.by_section: dict[int, list[Sentence]] = {}
        for s in sents:
            self.by_section.setdefault(s.section, []).append(s)
        self.labels = [sec.labels for sec in doc.sections]
        self.by_label: dict[str, list[int]] = {}
        for i, labels in enumerate(self.labels):
            for label in labels:
                self.by_label.setdefault(label, []).append(i)
        self.all_cues = frozenset().union(*(s.cues for s in sents))
        self.n_sents = max(len(sents), 1)
        self._has_text: dict[int, bool] = {}
        self._cues: dict[int, frozenset[str]] = {}
        self._orders: dict[tuple, tuple[list[int], list[str]]] = {}

    def has_text(self, i: int) -> bool:
        t = self._has_text.get(i)
        if t is None:
            t = self._has_text[i] = self.doc.sections[i].has_text
        return t

    def cues(self, i: int) -> frozenset[str]:
        """Every cue and context key held by some sentence of section ``i``."""
        c = self._cues.get(i)
        if c is None:
            c = self._cues[i] = frozenset().union(*(s.cues for s in self.by_section.get(i, ())))
        return c

    def preferred(self, names: tuple[str, ...], excluded: frozenset[str], late: bool) -> tuple[list[int], list[str]]:
        """Section indices in the rule's order of preference, and their names."""
        key = (names, excluded, late)
        got = self._orders.get(key)
        if got is None:
            ids = _ordered_sections(self.by_label, self.labels, names, excluded, late)
            got = self._orders[key] = (ids, _describe(self.doc, ids))
        return got


_ZONE = threading.local()


@contextmanager
def _memory_zone(nlp) -> Iterator[None]:
    """spaCy's memory zone around one document: the words it adds to spaCy's vocabulary
    are dropped afterwards, so a long batch does not grow with every new word it meets.
    Nothing made inside outlives it: the engine keeps only numbers (word ids) and Python
    strings. Zones do not nest; an inner call runs in the outer zone."""
    if getattr(_ZONE, "open", False):
        yield
        return
    _ZONE.open = True
    try:
        with nlp.memory_zone():
            yield
    finally:
        _ZONE.open = False


def _plain_spaces(text: str) -> str:
    """The text with no-break and thin spaces as plain spaces (most blocks have none: a
    search finds that faster than translating them)."""
    return text.translate(_SPACES) if _ANY_ODD_SPACE.search(text) else text


def _excluded(spec: ItemSpec, sig: Signal) -> set[str]:
    """The section labels a signal never reads."""
    excluded = set(spec.not_sections) | set(sig.not_sections) | _ALWAYS_EXCLUDED
    if spec.applies == "body":
        excluded |= {"front"}
    return excluded


_EXPANDABLE = ("LOWER", "ORTH", "TEXT", "NORM")


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


def _scan(section_ids: Iterable[int], view: _View, plan: _Plan, last: int | None = None, late: bool = False,
          learned: tuple[int, float, bool] | None = None, rank: int | None = None) -> list[tuple[float, _Hit]]:
    """Sentences satisfying a signal, in the order of the sections given; within a section
    in text order, or from the end when the item prefers late evidence. ``learned`` is
    (label index, threshold, is the signal itself) when the model's score is asked for:
    as the signal (evidence says so) or as the item's floor (a veto). With ``rank`` (a
    label index) each sentence comes with its ranking key for that label (the score, moved by
    the item's ``rank_story`` and ``quote_last``), and every qualifying sentence is returned
    (up to a cap) so that the caller can quote the best first. A
    section none of whose sentences holds the cues the signal needs is skipped whole."""
    out: list[tuple[float, _Hit]] = []
    if not plan.possible(view.all_cues):  # no sentence of the document can satisfy it
        return out
    limit = 5 if rank is None else 200
    scored = learned is not None or rank is not None
    need_all, need_any, veto, ctx_need, affirm_any = (plan.need_all, plan.need_any, plan.veto, plan.ctx_need,
                                                      plan.affirm_any)
    doc = view.doc
    for i in section_ids:
        sents = view.by_section.get(i)
        if not sents or not plan.possible(view.cues(i)):
            continue
        sents = sents[-last:] if last else sents
        for s in reversed(sents) if late else sents:
            c = s.cues
            if not (need_all <= c and (not need_any or need_any & c) and not (veto & c)
                    and all(need & c for need in ctx_need)
                    and (not affirm_any or any(k in c and f"neg:{k}" not in c for k in affirm_any))):
                continue
            row = s.scores if scored else None  # read once: each read is a lookup
            via = None
            if learned is not None:
                if row is None:
                    if learned[2]:
                        continue  # unscored: no learned signal (a floor does not veto)
                elif not row[learned[0]] >= learned[1]:
                    continue
                elif learned[2]:
                    via = f"learned score {row[learned[0]]:.2f}"
            score = float(row[rank]) if rank is not None and row is not None else 0.0
            if rank is not None:
                if plan.last and plan.last & c:
                    score -= QUOTED_LAST
                if plan.story:  # where the sentence is in the text: 0 at the start, 1 at the end
                    score += plan.story * s._index / view.n_sents
            out.append((score, _Hit(s, doc.sections[i], via)))
            if len(out) >= limit:
                return out
    return out


class _Hit:
    """A sentence that satisfies a signal; its :class:`Evidence` (the quote, cleaned and
    clipped) is made only when it is read: a ranked item may find 200 sentences and quote
    three."""

    __slots__ = ("sent", "section", "via", "_evidence")

    def __init__(self, sent: Sentence | None, section: Section | None, via: str | None = None,
                 evidence: Evidence | None = None) -> None:
        self.sent, self.section, self.via, self._evidence = sent, section, via, evidence

    @property
    def evidence(self) -> Evidence:
        if self._evidence is None:
            s = self.sent
            quote, column = _quote(s)
            self._evidence = Evidence(quote, _section_name(self.section), s.line, column, page=s.page, via=self.via)
        return self._evidence


def _ordered_sections(by_label: dict[str, list[int]], labels: list[frozenset[str]], names: tuple[str, ...],
                      excluded: frozenset[str], late: bool = False) -> list[int]:
    """Section indices in the rule's order of preference (a section's best-ranked label),
    then text order (or reverse)."""
    rank: dict[int, int] = {}
    for r, name in enumerate(names):
        for i in by_label.get(name, ()):
            if i not in rank and not (labels[i] & excluded):
                rank[i] = r
    return [abs(i) for _, i in sorted((r, -i if late else i) for i, r in rank.items())]


def _describe(doc: Document, ids: list[int]) -> list[str]:
    return list(dict.fromkeys(_section_name(doc.sections[i]) for i in ids))


def _section_name(sec: Section) -> str:
    return sec.heading.strip() or sec.kind.replace("_", " ")


def _quote(s: Sentence) -> tuple[str, int | None]:
    """A sentence as quoted, and its column: without a citation number the splitter left at
    its start ("aeruginosa. 5,6 Early diagnosis ..."; one glued to the full stop is cut
    off when the sentence is made). Only the quote: the sentence the rules and the model
    read is unchanged, so no verdict moves."""
    glued = _GLUED_CITATION.match(s.text)
    if glued is None or glued.end() >= len(s.text):
        return _clip(s.text), s.column
    return _clip(s.text[glued.end():]), None if s.column is None else s.column + glued.end()


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"


def _merge_evidence(found: list[tuple[str, list[Evidence]]], limit: int,
                    leads: list[float] | None = None) -> list[Evidence]:
    """For one component, its best sentences; for several, the best sentence of each, in
    the components' order or, ranked (``leads``: each one's best ranking key), best first:
    a sentence that reads most like the item leads, whichever component it gives."""
    if len(found) == 1:
        return found[0][1][:limit]
    if leads is not None:
        found = [f for _, f in sorted(zip(leads, found), key=lambda x: -x[0])]  # stable on ties
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

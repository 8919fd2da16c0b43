"""Train the learned sentence signal from the labelled corpus and ship it in the package.

    python tools/train_model.py              # reproduces care_check/data/sentence_model

Reads ``corpus/labels/*.json`` (train split only; the test split is never read here) and
the report texts in ``../shared/corpus/pool``. Every sentence of a labelled report (cut by
the checker's own splitter, as the annotators saw it) becomes one example whose labels are
the items whose reference lists that sentence. spaCy's own trainer
(``training/sentence-textcat.cfg``, fixed seed) trains ``textcat_multilabel``; a tenth of
the training reports is held back for spaCy's checkpoint choice. The best model is copied
to ``care_check/data/sentence_model``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import hashlib
import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from care_check.engine import Checker  # noqa: E402
from care_check.errors import CareCheckError  # noqa: E402
from care_check.learned import MODEL_DIR  # noqa: E402
from care_check.pipeline import load_document  # noqa: E402
from care_check.ruleset import load_guideline  # noqa: E402

LABELS = ROOT / "corpus" / "labels"
CONFIG = ROOT / "training" / "sentence-textcat.cfg"
POOL = ROOT.parent / "shared" / "corpus" / "pool"


def norm(text: str) -> str:
    return " ".join(text.split())


def labelled(split: str | None = "train", labels_dir: Path = LABELS) -> dict[str, dict]:
    """stem -> label file, for one split (None: all)."""
    out = {}
    for p in sorted(labels_dir.glob("*.json")):
        d = json.loads(p.read_text(encoding="utf-8"))
        if isinstance(d, dict) and isinstance(d.get("items"), dict) and "document" in d and not d.get("excluded"):
            if split is None or d.get("split") == split:
                out[p.stem] = d
    return out


def document_path(label: dict, pool: Path = POOL) -> Path:
    return pool.parent / label["source"] if label.get("source") else pool / label["document"]


def sentence_examples(label: dict, checker: Checker, items: list[str], pool: Path = POOL):
    """(model words, {item: 0/1}) for every sentence of one labelled report: the words the
    checker's model reads of it at run time (``Checker.model_inputs``)."""
    doc = load_document(str(document_path(label, pool)))
    positive: dict[str, set[str]] = {}
    for k, it in label["items"].items():
        if it.get("label") == "present":
            positive[k] = {norm(s) for s in it.get("sentences", it.get("evidence", []))}
    for s, words in checker.model_inputs(doc):
        t = norm(s.text)
        cats = {k: 1.0 if t in positive.get(k, ()) else 0.0 for k in items}
        yield words, cats


def build_docbins(stems: list[str], labels: dict[str, dict], folder: Path, items: list[str], pool: Path = POOL) -> None:
    """train.spacy and dev.spacy in ``folder`` (a tenth of the reports, by hash, for dev)."""
    from spacy.tokens import Doc, DocBin

    from care_check.nlp import get_nlp

    nlp = get_nlp()  # the checker's vocabulary: the words are the checker's own tokens, folded
    checker = Checker(load_guideline(), None)
    bins = {"train": DocBin(), "dev": DocBin()}
    for stem in stems:
        part = "dev" if int(hashlib.sha256(("dev" + stem).encode()).hexdigest()[:6], 16) % 10 == 0 else "train"
        try:
            for words, cats in sentence_examples(labels[stem], checker, items, pool):
                d = Doc(nlp.vocab, words=words)
                d.cats = cats
                bins[part].add(d)
        except CareCheckError as exc:
            print(f"skipped {stem}: {exc}", file=sys.stderr)
    for part, db in bins.items():
        db.to_disk(folder / f"{part}.spacy")


def train(stems: list[str], labels: dict[str, dict], out: Path, pool: Path = POOL, quiet: bool = False,
          config: Path = CONFIG, bins: Path | None = None) -> Path:
    """Train on the given reports; the model ends up in ``out``. ``config``: another training
    recipe (tools/model_variants.py compares them); ``bins``: a folder whose train/dev.spacy
    are reused for the same reports, or built there when missing."""
    from spacy.cli.train import train as spacy_train

    items = list(load_guideline().guideline.order)
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        data = bins or t
        if not (data / "dev.spacy").is_file():
            data.mkdir(parents=True, exist_ok=True)
            build_docbins(stems, labels, data, items, pool)
        with contextlib.redirect_stdout(io.StringIO()) if quiet else contextlib.nullcontext():
            spacy_train(config, t / "output", overrides={"paths.train": str(data / "train.spacy"),
                                                         "paths.dev": str(data / "dev.spacy")}, use_gpu=-1)
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(t / "output" / "model-best", out)
    # What the model was trained on, so a test can prove the test split was never used.
    (out / "training.json").write_text(json.dumps({
        "config": str(config.relative_to(ROOT)) if config.is_relative_to(ROOT) else str(config),
        "labels": sorted(items),
        "documents": sorted(stems),
        "splits": sorted({labels[s].get("split", "?") for s in stems}),
    }, indent=1) + "\n", encoding="utf-8")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pool", default=str(POOL), help="folder holding the reports (pmc-body/, web-page/)")
    ap.add_argument("--out", default=str(MODEL_DIR))
    a = ap.parse_args()
    labels = labelled("train")
    if not labels:
        print("no labelled training reports in corpus/labels", file=sys.stderr)
        return 2
    out = train(sorted(labels), labels, Path(a.out), Path(a.pool))
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"trained on {len(labels)} reports; model in {out} ({size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""``care-check audit``: Parquet rows per (document, item) and per document, resumable, the
same on local processes and on a Dask cluster. Documents are the repository's own example
manuscripts, varied at test time."""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import pytest

pq = pytest.importorskip("pyarrow.parquet")

from care_check import audit, cli  # noqa: E402
from care_check.ruleset import load_guideline  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "corpus").glob("*-case-report.md"))


@pytest.fixture()
def docs(tmp_path: Path) -> list[str]:
    folder = tmp_path / "docs"
    folder.mkdir()
    out = []
    for i, src in enumerate(EXAMPLES * 2):
        text = src.read_text(encoding="utf-8")
        if i >= len(EXAMPLES):  # a second version without its last sections
            text = text[: len(text) * 2 // 3]
        p = folder / f"{i}-{src.name}"
        p.write_text(text, encoding="utf-8")
        out.append(str(p))
    (folder / "empty.md").write_text("")
    out.append(str(folder / "empty.md"))
    return out


def _rows(out: Path) -> tuple[list[dict], list[dict]]:
    items = sorted(pq.read_table(out).to_pylist(), key=lambda r: (r["path"], r["item"]))
    documents = sorted(pq.read_table(audit.documents_path(out)).to_pylist(), key=lambda r: r["path"])
    return items, documents


def _opts() -> audit.Options:
    return audit.Options.make(load_guideline(), time_s=60, memory_mb=2048)


def test_rows_are_the_check_reports_verdicts(docs, tmp_path, capsys):
    out = tmp_path / "results.parquet"
    tally = audit.run(docs, out, _opts(), jobs=2)
    assert (tally.checked, tally.skipped, tally.errors) == (len(docs), 0, 1)
    items, documents = _rows(out)
    good = [d for d in docs if not d.endswith("empty.md")]
    assert len(items) == 34 * len(good) and len(documents) == len(docs)
    assert [d["error"] for d in documents if d["path"].endswith("empty.md")][0]

    assert cli.main(["check", *good, "--format", "jsonl", "--isolated"]) in (0, 1)
    for line in capsys.readouterr().out.splitlines():
        report = json.loads(line)
        mine = {r["item"]: r for r in items if r["path"] == report["document"]["path"]}
        for it in report["items"]:
            row = mine[it["id"]]
            assert row["status"] == it["status"] and row["message"] == it["message"]
            first = it["evidence"][0] if it["evidence"] else {}
            assert (row["section"], row["line"], row["quote"]) == (first.get("section"), first.get("line"),
                                                                   first.get("quote"))
        doc = next(d for d in documents if d["path"] == report["document"]["path"])
        assert doc["completeness"] == report["summary"]["completeness"] and doc["error"] is None


def test_a_rerun_skips_what_is_done_and_a_stopped_run_leaves_no_doubled_rows(docs, tmp_path):
    out = tmp_path / "results.parquet"
    audit.run(docs[:3], out, _opts(), jobs=2)
    first_items, _ = _rows(out)
    # a run stopped between writing an items part and its documents part
    shutil.copy(next(out.glob("*.parquet")), out / "part-stopped-00000.parquet")
    tally = audit.run(docs, out, _opts(), jobs=2)
    assert (tally.checked, tally.skipped) == (len(docs) - 3, 3)
    items, documents = _rows(out)
    assert len({(r["path"], r["item"]) for r in items}) == len(items)  # nothing doubled
    assert [r for r in items if r["path"] in docs[:3]] == first_items
    assert sorted(d["path"] for d in documents) == sorted(docs)
    again = audit.run(docs, out, _opts(), jobs=1)
    assert (again.checked, again.skipped) == (0, len(docs))


def test_a_dask_cluster_gives_the_same_rows_as_local_processes(docs, tmp_path):
    distributed = pytest.importorskip("distributed")
    opts = _opts()
    assert pickle.loads(pickle.dumps(opts)) == opts  # what travels to a worker
    local = tmp_path / "local.parquet"
    audit.run(docs, local, opts, jobs=2)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as cluster, distributed.Client(cluster) as client:
        tally = audit.run(docs, tmp_path / "dask.parquet", opts, scheduler=client, batch_size=2)
        assert len(client.nthreads()) == 2
    assert (tally.checked, tally.errors) == (len(docs), 1)
    assert _rows(tmp_path / "dask.parquet") == _rows(local)


def test_command_line_with_a_list_of_paths(docs, tmp_path, capsys):
    listing = tmp_path / "paths.txt"
    listing.write_text("# the corpus\n" + "\n".join(docs[:2]) + "\n\n")
    out = tmp_path / "r.parquet"
    # a list of paths and a manuscript named directly
    assert cli.main(["audit", str(listing), docs[2], "--out", str(out), "--jobs", "2"]) == 0
    printed = capsys.readouterr().out
    assert "audited 3 documents" in printed and "r.documents.parquet" in printed
    assert cli.main(["audit", str(listing), docs[2], "--out", str(out)]) == 0
    assert "audited 0 documents" in capsys.readouterr().out
    assert sorted(d["path"] for d in _rows(out)[1]) == sorted(docs[:3])


def test_an_output_that_is_not_an_audits_is_one_error_line(docs, tmp_path, capsys):
    taken = tmp_path / "taken.parquet"
    taken.write_text("someone's file")
    assert cli.main(["audit", docs[0], "--out", str(taken)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "taken.parquet: exists and is not a folder" in err[0]
    assert taken.read_text() == "someone's file"


def test_without_pyarrow_the_audit_says_what_to_install(docs, tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "pyarrow", None)
    assert cli.main(["audit", docs[0], "--out", str(tmp_path / "r.parquet")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "care-check[audit]" in err[0]

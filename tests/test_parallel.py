"""``check --jobs N``: the same output as one file after another, in input order, streamed.

The files are the repository's own example manuscripts, copied and varied at test time.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from care_check import cli, parallel, progress
from care_check.errors import InputError

from .helpers import stall_on

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "corpus").glob("*-case-report.md"))


@pytest.fixture(scope="module", autouse=True)
def _warm(checker):
    cli._checker(None, True)


@pytest.fixture()
def batch(tmp_path: Path) -> list[str]:
    """Seven manuscripts of different lengths, one empty (an error line), in a fixed order."""
    paths = []
    for i in range(6):
        src = EXAMPLES[i % len(EXAMPLES)].read_text(encoding="utf-8")
        if i % 3 == 2:  # a longer one, so the files finish out of order on two workers
            src += "\n\n## Discussion\n\n" + "The patient recovered well after the treatment. " * 400
        p = tmp_path / f"{i:02d}-{EXAMPLES[i % len(EXAMPLES)].name}"
        p.write_text(src, encoding="utf-8")
        paths.append(str(p))
    empty = tmp_path / "03b-empty.md"
    empty.write_text("")
    paths.insert(4, str(empty))
    return paths


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("fmt", ["jsonl", "text", "json", "sarif"])
def test_two_jobs_give_exactly_the_output_of_one(capsys, batch, fmt):
    one = run(capsys, *batch, "--format", fmt, "--jobs", "1")
    two = run(capsys, *batch, "--format", fmt, "--jobs", "2")
    assert one == two
    code, out, err = two
    assert code == 2 and err.count("\n") == 1 and "03b-empty.md" in err  # the empty file, one line
    if fmt == "jsonl":
        paths = [json.loads(line)["document"]["path"] for line in out.splitlines()]
        assert paths == [p for p in batch if not p.endswith("empty.md")]  # input order


def test_jsonl_lines_are_the_json_reports_entries(capsys, batch):
    _, jsonl, _ = run(capsys, *batch, "--format", "jsonl", "--jobs", "2")
    _, whole, _ = run(capsys, *batch, "--format", "json", "--jobs", "2")
    lines = jsonl.splitlines()
    assert len(lines) == 6 and [json.loads(line) for line in lines] == json.loads(whole)
    assert all("\n" not in line for line in lines)


def test_jsonl_to_a_file_is_written_as_files_are_done(capsys, batch, tmp_path):
    out = tmp_path / "out.jsonl"
    code, stdout, _ = run(capsys, *batch, "--format", "jsonl", "-o", str(out))
    assert code == 2 and stdout == ""
    assert [json.loads(line)["summary"]["completeness"] for line in out.read_text().splitlines()][:2] == [100.0, 50.0]


def test_a_stalled_file_in_a_pool_gives_its_line_and_the_others_keep_their_order(tmp_path, capsys, monkeypatch):
    stall_on(monkeypatch, "stalls.md")
    names = ["a.md", "stalls.md", "b.md", "c.md"]
    for name in names:
        (tmp_path / name).write_text(EXAMPLES[0].read_text(encoding="utf-8"))
    start = time.monotonic()
    code, out, err = run(capsys, *(str(tmp_path / n) for n in names), "--format", "jsonl", "--jobs", "2",
                         "--time-limit", "1.5")
    assert code == 2 and time.monotonic() - start < 20
    assert err.count("\n") == 1 and "stalls.md: gave up after 1.5 s" in err
    assert [Path(json.loads(line)["document"]["path"]).name for line in out.splitlines()] == ["a.md", "b.md", "c.md"]


def test_the_pool_reads_ahead_only_a_few_files_per_job():
    """Memory flat in the number of files: answers are yielded while later files are not
    yet taken from the input, however long it is."""
    taken = []

    def items():
        for i in range(1000):
            taken.append(i)
            yield (str(i), str(i))

    outcomes = parallel.imap(lambda p: int(p) * 2, items(), jobs=2, time_s=5, memory_mb=0)
    first = next(outcomes)
    assert first.value == 0 and len(taken) <= parallel.AHEAD * 2 + 1
    rest = [o.value for o in outcomes]
    assert rest == [i * 2 for i in range(1, 1000)] and len(taken) == 1000


def test_an_error_in_a_worker_is_that_files_outcome():
    def fn(path: str) -> str:
        if path == "bad":
            raise InputError(path, "is bad")
        return path.upper()

    got = list(parallel.imap(fn, [(p, p) for p in ("a", "bad", "c")], jobs=2, time_s=5, memory_mb=0))
    assert [o.value for o in got] == ["A", None, "C"]
    assert str(got[1].error) == "bad: is bad"


def test_progress_bar_only_on_a_terminal_and_not_over_the_report(monkeypatch):
    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stderr", Tty())
    assert progress.wanted(5, report_to_terminal=False)
    assert not progress.wanted(5, report_to_terminal=True)  # the report on screen is its own progress
    assert not progress.wanted(1, report_to_terminal=False)
    monkeypatch.undo()
    assert not progress.wanted(5, report_to_terminal=False)  # piped (pytest captures stderr)


def test_jobs_must_be_a_positive_number(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["check", str(EXAMPLES[0]), "--jobs", "0"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and "--jobs" in err and err.count("\n") == 1


def test_csv_summary_and_html_folder_are_the_same_on_two_jobs(capsys, batch, tmp_path):
    """The summaries keep a small row per file while files stream in; --jobs changes nothing."""
    outputs = []
    for jobs in ("1", "2"):
        csv_path, html_dir = tmp_path / f"summary-{jobs}.csv", tmp_path / f"html-{jobs}"
        code, _, err = run(capsys, *batch, "--format", "html", "-o", f"{html_dir}/", "--summary", str(csv_path),
                           "--jobs", jobs)
        assert code == 2 and "03b-empty.md" in err
        pages = {p.name: p.read_text(encoding="utf-8") for p in sorted(html_dir.iterdir())}
        outputs.append((csv_path.read_text(encoding="utf-8-sig"), pages))
    assert outputs[0] == outputs[1]
    csv_text, pages = outputs[1]
    lines = csv_text.splitlines()
    assert len(lines) == 1 + 7 and lines[-1].split(",")[0].endswith("03b-empty.md")  # checked, then the error
    assert len(pages) == 1 + 6 and "index.html" in pages

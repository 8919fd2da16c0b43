"""Adherence per CARE item across a corpus, from a ``care-check audit`` output.

An example of what the Parquet tables are for. Usage:

    care-check audit ../shared/corpus/pool --out results.parquet
    python docs/adherence.py results.parquet [--plot adherence.png]

Prints one Markdown table row per item: the documents it applies to, and the share of
them that report it, report it partly, or miss it; and draws the same as a stacked bar
chart (pandas and matplotlib: ``pip install 'care-check[analysis]'``). Only aggregate
figures come out: no sentence of any document is in the table or the plot.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def adherence(items_path: str):
    """A table indexed by item (checklist order): applicable documents, % reported, % partial, % missing."""
    import pandas as pd

    items = pd.read_parquet(items_path, columns=["path", "item", "topic", "title", "status"])
    order = list(dict.fromkeys(items["item"]))  # rows come in checklist order within each document
    applicable = items[items["status"] != "not_applicable"]
    counts = applicable.groupby(["item", "status"]).size().unstack(fill_value=0)
    for status in ("reported", "partial", "missing"):
        if status not in counts:
            counts[status] = 0
    n = counts[["reported", "partial", "missing"]].sum(axis=1)
    table = pd.DataFrame({
        "topic": items.drop_duplicates("item").set_index("item")["topic"],
        "title": items.drop_duplicates("item").set_index("item")["title"],
        "documents": n,
        "reported %": 100 * counts["reported"] / n,
        "partial %": 100 * counts["partial"] / n,
        "missing %": 100 * counts["missing"] / n,
    })
    return table.reindex([i for i in order if i in table.index])


def markdown(table) -> str:
    lines = ["| item | topic | documents | reported | partial | missing |", "|---|---|---:|---:|---:|---:|"]
    for item, r in table.iterrows():
        lines.append(f"| {item} | {r['topic']} | {int(r['documents'])} | {r['reported %']:.1f}% | "
                     f"{r['partial %']:.1f}% | {r['missing %']:.1f}% |")
    return "\n".join(lines)


def plot(table, path: str, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display needed
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 0.28 * len(table) + 1.5))
    labels = [f"{i}  {t if len(t) <= 44 else t[:43] + '…'}" for i, t in zip(table.index, table["title"])]
    left = [0.0] * len(table)
    for column, colour in (("reported %", "#2e7d32"), ("partial %", "#f9a825"), ("missing %", "#c62828")):
        values = table[column].tolist()
        ax.barh(labels, values, left=left, color=colour, label=column.replace(" %", ""))
        left = [a + b for a, b in zip(left, values)]
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of the documents the item applies to")
    ax.set_title(title, fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    ax.tick_params(axis="y", labelsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", help="the --out of care-check audit (results.parquet)")
    ap.add_argument("--plot", default="adherence.png", help="where to write the chart (default: adherence.png)")
    ap.add_argument("--title", default=None)
    args = ap.parse_args()
    try:
        import pandas  # noqa: F401
    except ImportError:
        print("needs pandas and matplotlib: pip install 'care-check[analysis]'", file=sys.stderr)
        return 2
    table = adherence(args.results)
    print(markdown(table))
    docs = Path(args.results)
    docs = docs.with_name(f"{docs.stem}.documents{docs.suffix}")
    import pandas as pd

    d = pd.read_parquet(docs, columns=["path", "completeness", "error"])
    ok = d[d["error"].isna()]
    print(f"\n{len(ok)} documents checked ({len(d) - len(ok)} could not be); median completeness "
          f"{ok['completeness'].median():.1f}%")
    try:
        plot(table, args.plot, args.title or f"CARE adherence across {len(ok)} case reports (care-check audit)")
        print(f"plot: {args.plot}")
    except ImportError:
        print("(no plot: matplotlib is not installed)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

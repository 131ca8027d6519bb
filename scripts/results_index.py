"""The results index: one row per figure that a recipe README reports (``recipes/results.csv``).

A row names the README, its section and table row, the metric (the table's column), the value as
the README prints it, the recipes the row is about, the command that reproduces it and the commit
of the run folder that made it (its ``run.json``; empty for figures made before run folders
recorded one). ``tests/test_results_index.py`` checks that every README figure is in the index
and every shipped recipe is listed, so a figure cannot change without its run folder.

    python scripts/results_index.py check
    python scripts/results_index.py add RUN --readme recipes/krsl20/README.md --section "Deep models" \\
        --row "BiLSTM" --metric "20-class top-1=top1" --metric "macro-F1=macro_f1"

``add`` reads the run folder (``summary.json`` of a crossval: mean ± std; ``metrics.json`` of a run
or a baseline), formats each metric as the READMEs do (percent, two decimals) and replaces that
row's entries in the index; the README's table is then edited to match (``check`` says where).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import Counter
from dataclasses import astuple, dataclass, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INDEX = ROOT / "recipes" / "results.csv"
# A figure is a table cell that starts with a number (a percentage, a mean ± std, a count, a time)
# or says that it was not measured; the first cell of a row names the row.
FIGURE = re.compile(r"^[~≈<>]?\s*[-+−]?\d|^not measured")
RECIPE = re.compile(r"[\w./-]+\.yaml")
COMMAND = re.compile(r"^\s*(signkit|python|bash|D=)\b")


@dataclass(frozen=True)
class Figure:
    readme: str
    section: str
    row: str
    metric: str
    value: str
    recipe: str = ""
    command: str = ""
    commit: str = ""

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return self.readme, self.section, self.row, self.metric, self.value


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _plain(text: str) -> str:
    return text.replace("**", "").strip()


def _recipes(names: list[str], folder: Path) -> str:
    """Recipe names as a README writes them (``ctc.yaml``, ``recipes/synthetic/stgcn.yaml``) as
    repository paths, those that exist."""
    paths = set()
    for name in names:
        for base in (ROOT, folder):
            if (base / name).is_file():
                paths.add((base / name).resolve().relative_to(ROOT).as_posix())
                break
    return " ".join(sorted(paths))


def readme_figures(path: Path) -> list[Figure]:
    """Every figure of a README's tables, with the recipes its row names (else its section) and
    the command nearest the table: the first of its section, else the next one in the README,
    else the last before it (for a new index; ``add`` writes the run folder's own)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    name = path.relative_to(ROOT).as_posix()
    heading, starts = "", {}
    for i, line in enumerate(lines):
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
            starts[heading] = i
    commands = [(i, ln.strip()) for i, ln in enumerate(lines) if COMMAND.match(ln)]
    found, heading, header = [], "", None
    for i, line in enumerate(lines):
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
        if not line.startswith("|"):
            header = None
            continue
        if header is None:
            header = _cells(line)
            continue
        cells = _cells(line)
        if set("".join(cells)) <= set("-: "):
            continue
        end = next((j for j in range(i, len(lines)) if lines[j].startswith("#")), len(lines))
        body = "\n".join(lines[starts.get(heading, 0):end])
        recipes = _recipes(RECIPE.findall(line) or RECIPE.findall(body), path.parent)
        own = [c for j, c in commands if starts.get(heading, 0) <= j < end]
        later = [c for j, c in commands if j > i]
        earlier = [c for j, c in commands if j < i]
        command = (own or later or earlier[-1:] or [""])[0]
        for metric, value in zip(header[1:], cells[1:], strict=False):
            if FIGURE.match(_plain(value)):
                found.append(Figure(name, heading, _plain(cells[0]), metric, _plain(value), recipes, command))
    return found


def all_readme_figures() -> list[Figure]:
    return [f for readme in sorted((ROOT / "recipes").glob("*/README.md")) for f in readme_figures(readme)]


def read_index(path: Path = INDEX) -> list[Figure]:
    with path.open(newline="", encoding="utf-8") as f:
        return [Figure(**row) for row in csv.DictReader(f)]


def write_index(rows: list[Figure], path: Path = INDEX) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow([f.name for f in fields(Figure)])
        writer.writerows(astuple(r) for r in rows)


def problems(index: list[Figure] | None = None) -> list[str]:
    """What does not match: README figures missing from the index (or with another value), index
    rows no README shows, shipped recipes the index does not list."""
    index = read_index() if index is None else index
    shown, indexed = Counter(f.key for f in all_readme_figures()), Counter(f.key for f in index)
    out = [f"{k[0]}: {k[1]!r} / {k[2]!r} / {k[3]}: {k[4]!r} is not in the index"
           for k in sorted((shown - indexed).elements())]
    out += [f"{k[0]}: {k[1]!r} / {k[2]!r} / {k[3]}: the index has {k[4]!r}, the README does not"
            for k in sorted((indexed - shown).elements())]
    listed = {name for r in index for name in r.recipe.split()}
    for recipe in sorted((ROOT / "recipes").glob("*/*.yaml")):
        if (rel := recipe.relative_to(ROOT).as_posix()) not in listed:
            out.append(f"{rel}: a shipped recipe no row of the index lists")
    return out


def _percent(value: float) -> str:
    return f"{100 * value:.2f}"


def run_figures(run: Path, metrics: dict[str, str]) -> tuple[dict[str, str], str, str]:
    """``{README column: value}`` of a run folder for ``{column: metric key}``, its command line
    and commit (from ``run.json``)."""
    info = json.loads((run / "run.json").read_text()) if (run / "run.json").is_file() else {}
    summary = run / "summary.json"
    values = {}
    if summary.is_file():
        s = json.loads(summary.read_text())
        stats = s.get("summary", s)
        for column, key in metrics.items():
            m = stats[key]
            values[column] = f"{_percent(m['mean'])} ± {_percent(m['std'])}"
    else:
        m = json.loads((run / "metrics.json").read_text())
        for column, key in metrics.items():
            v = m.get("summary", {}).get(key) if isinstance(m.get("summary"), dict) else m.get(key)
            values[column] = (f"{_percent(v['mean'])} ± {_percent(v['std'])}" if isinstance(v, dict)
                              else _percent(float(v)))
    argv = [str(a) for a in info.get("command", [])]
    start = next((i + 1 for i, a in enumerate(argv) if a == "signkit.cli.app" or Path(a).name == "signkit"),
                 len(argv))
    command = " ".join(["signkit", *argv[start:]]) if argv[start:] else ""
    return values, command, str(info.get("commit") or "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    sub.add_parser("check", help="compare the READMEs with the index")
    add = sub.add_parser("add", help="a run folder's figures into the index")
    add.add_argument("run", type=Path)
    add.add_argument("--readme", required=True)
    add.add_argument("--section", required=True)
    add.add_argument("--row", required=True)
    add.add_argument("--recipe", default="")
    add.add_argument("--metric", action="append", required=True, help="README column=metric key")
    parser.add_argument("--index", type=Path, default=INDEX)
    args = parser.parse_args(argv)
    if args.what == "check":
        found = problems(read_index(args.index))
        for line in found:
            print(line)
        print(f"{len(read_index(args.index))} figures indexed; {len(found)} problems")
        return 1 if found else 0
    metrics = dict(m.split("=", 1) for m in args.metric)
    values, command, commit = run_figures(args.run, metrics)
    where = (args.readme, args.section, args.row)
    keep = [r for r in read_index(args.index)
            if (r.readme, r.section, r.row) != where or r.metric not in values]
    new = [Figure(args.readme, args.section, args.row, column, value, args.recipe, command, commit)
           for column, value in values.items()]
    write_index(keep + new, args.index)
    for f in new:
        print(f"{f.row} / {f.metric}: {f.value}  (commit {f.commit or 'unknown'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
